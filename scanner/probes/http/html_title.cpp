// <title> extraction: tolerant of what real pages contain, hostile input
// included (unterminated tags, entities for control characters, bidi tricks).
#include <algorithm>
#include <charconv>
#include <cstdint>

#include "core/text.h"
#include "scanner/probes/http/http_parser.h"

namespace ciiscope::scanner {
namespace {

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes the common named entities and numeric references; anything else
// is kept as written.
std::string DecodeEntities(std::string_view s) {
  static constexpr std::pair<std::string_view, std::string_view> kNamed[] = {
      {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", " "}};
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t semi = s[i] == '&' ? s.find(';', i) : std::string_view::npos;
    if (semi == std::string_view::npos || semi - i > 10) {
      out.push_back(s[i++]);
      continue;
    }
    std::string_view name = s.substr(i + 1, semi - i - 1);
    bool decoded = false;
    if (name.size() > 1 && name[0] == '#') {
      bool hex = name[1] == 'x' || name[1] == 'X';
      std::string_view digits = name.substr(hex ? 2 : 1);
      uint32_t cp = 0;
      auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
      if (!digits.empty() && ec == std::errc() && ptr == digits.data() + digits.size()) {
        AppendUtf8(cp, out);
        decoded = true;
      }
    } else {
      for (const auto& [entity, text] : kNamed) {
        if (name == entity) {
          out.append(text);
          decoded = true;
          break;
        }
      }
    }
    if (decoded) {
      i = semi + 1;
    } else {
      out.push_back(s[i++]);
    }
  }
  return out;
}

std::string CollapseWhitespace(std::string_view s) {
  std::string out;
  bool in_space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      in_space = true;
      continue;
    }
    if (in_space && !out.empty()) out.push_back(' ');
    in_space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string ExtractHtmlTitle(std::string_view html, size_t max_bytes) {
  // Only the first part of a page is searched; titles live in <head>.
  constexpr size_t kSearchBytes = 256 * 1024;
  std::string lower = core::ToLower(html.substr(0, std::min(html.size(), kSearchBytes)));
  size_t open = 0;
  while (true) {
    open = lower.find("<title", open);
    if (open == std::string::npos) return "";
    char next = open + 6 < lower.size() ? lower[open + 6] : '\0';
    if (next == '>' || next == ' ' || next == '\t' || next == '\n' || next == '\r' || next == '/') {
      break;
    }
    open += 6;
  }
  size_t start = lower.find('>', open);
  if (start == std::string::npos) return "";
  ++start;
  size_t end = lower.find("</title", start);
  if (end == std::string::npos) end = std::min(lower.find('<', start), lower.size());
  // Bound the work on enormous titles before decoding.
  end = std::min(end, start + max_bytes * 8);
  std::string text = CollapseWhitespace(DecodeEntities(html.substr(start, end - start)));
  return core::TruncateUtf8(core::Printable(core::SanitizeUtf8(text)), max_bytes);
}

}  // namespace ciiscope::scanner
