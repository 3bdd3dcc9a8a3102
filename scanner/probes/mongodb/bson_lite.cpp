#include "scanner/probes/mongodb/bson_lite.h"

#include <cstring>

namespace ciiscope::scanner {
namespace {

void PutI32(std::string* out, int32_t v) {
  auto u = static_cast<uint32_t>(v);
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((u >> (8 * i)) & 0xff));
}

uint64_t GetLE(std::string_view b, size_t at, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t{static_cast<unsigned char>(b[at + i])} << (8 * i);
  return v;
}

// Reads the elements of `doc` (whole document bytes) into `out` (object or
// array); nested documents are skipped. Returns false on a malformed element.
bool ReadElements(std::string_view doc, int depth, nlohmann::json* out) {
  if (doc.size() < 5) return false;
  size_t length = GetLE(doc, 0, 4);
  if (length < 5 || length > doc.size()) return false;
  std::string_view body = doc.substr(4, length - 5);
  size_t pos = 0;
  for (int n = 0; pos < body.size() && n < 256; ++n) {
    auto type = static_cast<unsigned char>(body[pos++]);
    size_t name_end = body.find('\0', pos);
    if (name_end == std::string_view::npos) return false;
    std::string name(body.substr(pos, name_end - pos));
    pos = name_end + 1;
    size_t left = body.size() - pos;
    nlohmann::json value;
    bool keep = true;
    size_t size = 0;
    switch (type) {
      case 0x01:  // double
        if (left < 8) return false;
        {
          uint64_t bits = GetLE(body, pos, 8);
          double d;
          std::memcpy(&d, &bits, sizeof d);
          value = d;
        }
        size = 8;
        break;
      case 0x02:  // string
      case 0x0D:  // JavaScript code
      case 0x0E: {  // symbol
        if (left < 4) return false;
        size_t len = GetLE(body, pos, 4);
        if (len < 1 || len > left - 4) return false;
        value = std::string(body.substr(pos + 4, len - 1));
        size = 4 + len;
        break;
      }
      case 0x03:  // document
      case 0x04: {  // array
        if (left < 4) return false;
        size = GetLE(body, pos, 4);
        if (size < 5 || size > left) return false;
        // Kept: top-level arrays, and the documents inside them (their
        // scalars: listDatabases' [{name: …}, …]).
        keep = (type == 0x04 && depth == 0) || (type == 0x03 && depth == 1 && out->is_array());
        if (keep) {
          value = type == 0x04 ? nlohmann::json::array() : nlohmann::json::object();
          if (!ReadElements(body.substr(pos, size), depth + 1, &value)) return false;
        }
        break;
      }
      case 0x05: {  // binary
        if (left < 5) return false;
        size = 5 + GetLE(body, pos, 4);
        keep = false;
        break;
      }
      case 0x07: size = 12; keep = false; break;  // ObjectId
      case 0x08:
        if (left < 1) return false;
        value = body[pos] != 0;
        size = 1;
        break;
      case 0x09:  // UTC datetime
      case 0x12:  // int64
        if (left < 8) return false;
        value = static_cast<int64_t>(GetLE(body, pos, 8));
        size = 8;
        break;
      case 0x11: size = 8; keep = false; break;  // timestamp
      case 0x0A: value = nullptr; break;
      case 0x10:
        if (left < 4) return false;
        value = static_cast<int32_t>(GetLE(body, pos, 4));
        size = 4;
        break;
      case 0x13: size = 16; keep = false; break;  // decimal128
      default:
        return false;
    }
    if (size > left) return false;
    pos += size;
    if (!keep) continue;
    if (out->is_array()) {
      if (out->size() < 64 && !value.is_array()) out->push_back(std::move(value));
    } else {
      (*out)[name] = std::move(value);
    }
  }
  return true;
}

}  // namespace

std::string BsonCommand(std::string_view command, std::string_view db, std::string_view true_flag) {
  std::string body;
  body.push_back(0x10);
  body.append(command);
  body.push_back('\0');
  PutI32(&body, 1);
  if (!true_flag.empty()) {
    body.push_back(0x08);
    body.append(true_flag);
    body.push_back('\0');
    body.push_back('\x01');
  }
  body.push_back(0x02);
  body.append("$db");
  body.push_back('\0');
  PutI32(&body, static_cast<int32_t>(db.size() + 1));
  body.append(db);
  body.push_back('\0');
  body.push_back('\0');  // end of document
  std::string doc;
  PutI32(&doc, static_cast<int32_t>(body.size() + 4));
  return doc + body;
}

BsonFields ReadBsonTopLevel(std::string_view doc) {
  BsonFields out;
  out.ok = ReadElements(doc, 0, &out.fields);
  return out;
}

}  // namespace ciiscope::scanner
