#include "reports/safe_path.h"

#include "core/text.h"

namespace ciiscope::reports {
namespace {

// Decodes the code point starting at s[i] (valid UTF-8 expected); sets len.
char32_t Decode(std::string_view s, size_t i, size_t& len) {
  auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    len = 1;
    return b;
  }
  len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
  if (i + len > s.size()) {
    len = s.size() - i;
    return 0xFFFD;
  }
  char32_t cp = b & (0xFF >> (len + 1));
  for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return cp;
}

bool IsFormatChar(char32_t cp) {
  return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2060 && cp <= 0x206F) || cp == 0x061C || cp == 0xFEFF || cp == 0xFFFD ||
         (cp >= 0x80 && cp <= 0x9F);
}

bool IsKeptAscii(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '_' || c == '.';
}

}  // namespace

std::string SafeFileName(std::string_view name, size_t max_bytes) {
  const std::string valid = core::SanitizeUtf8(name.substr(0, max_bytes * 4));
  std::string out;
  for (size_t i = 0; i < valid.size();) {
    size_t len = 1;
    char32_t cp = Decode(valid, i, len);
    std::string_view piece = std::string_view(valid).substr(i, len);
    i += len;
    std::string_view repl = "_";
    if (cp < 0x80 ? IsKeptAscii(cp) : !IsFormatChar(cp)) repl = piece;
    if (out.size() + repl.size() > max_bytes) break;
    out += repl;
  }
  if (!out.empty() && out[0] == '.') out[0] = '_';
  if (out.empty()) out = "report";
  return out;
}

std::string PathInDir(const std::string& dir, std::string_view name) {
  std::string base = dir.empty() ? "." : dir;
  if (!base.ends_with("/")) base += '/';
  return base + SafeFileName(name);
}

}  // namespace ciiscope::reports
