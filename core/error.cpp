#include "core/result.h"

namespace ciiscope {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid argument";
    case ErrorCode::kParse: return "parse error";
    case ErrorCode::kNotFound: return "not found";
    case ErrorCode::kIo: return "i/o error";
    case ErrorCode::kDatabase: return "database error";
    case ErrorCode::kPermission: return "permission denied";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kInterrupted: return "interrupted";
    case ErrorCode::kInternal: return "internal error";
  }
  return "error";
}

}  // namespace ciiscope
