#include "assessor/lifecycle.h"

#include <algorithm>

namespace ciiscope::assessor {
namespace {

struct Move {
  std::string_view action;
  std::string_view to;  // "" = status unchanged
  std::vector<std::string_view> from;
};

const std::vector<Move>& Moves() {
  static const std::vector<Move> kMoves = {
      {"ack", "acknowledged", {"open", "reopened"}},
      {"fix", "fixed", {"open", "acknowledged", "reopened"}},
      {"accept", "accepted", {"open", "acknowledged", "reopened"}},
      {"false-positive", "false_positive", {"open", "acknowledged", "reopened", "accepted"}},
      {"reopen", "reopened", {"fixed", "verified", "closed", "accepted", "false_positive"}},
      {"assign",
       "",
       {"open", "acknowledged", "fixed", "verified", "reopened", "accepted", "false_positive"}},
  };
  return kMoves;
}

std::string Alternatives(const std::vector<std::string_view>& from) {
  std::string out;
  for (size_t i = 0; i < from.size(); ++i) {
    if (i > 0) out += i + 1 == from.size() ? " or " : ", ";
    out += from[i];
  }
  return out;
}

}  // namespace

const std::vector<std::string_view>& LifecycleActions() {
  static const std::vector<std::string_view> kActions = [] {
    std::vector<std::string_view> names;
    for (const auto& m : Moves()) names.push_back(m.action);
    return names;
  }();
  return kActions;
}

Result<std::string> NextStatus(std::string_view action, std::string_view current,
                               int64_t finding_id) {
  for (const auto& move : Moves()) {
    if (move.action != action) continue;
    if (std::find(move.from.begin(), move.from.end(), current) == move.from.end()) {
      return Error(ErrorCode::kInvalidArgument,
                   "finding " + std::to_string(finding_id) + " is " + std::string(current) + "; " +
                       std::string(action) + " needs " + Alternatives(move.from));
    }
    return std::string(move.to);
  }
  return Error(ErrorCode::kInvalidArgument, "unknown finding action '" + std::string(action) + "'");
}

}  // namespace ciiscope::assessor
