#include "scanner/probes/http/charset.h"

#include <algorithm>

#include <errno.h>
#include <iconv.h>

#include "core/text.h"

namespace ciiscope::scanner {
namespace {

constexpr size_t kMetaSearchBytes = 4096;

// The value after "charset=" in `text` (quotes, spaces and ';' end it).
std::string CharsetParam(std::string_view lower) {
  size_t at = lower.find("charset");
  if (at == std::string_view::npos) return "";
  size_t pos = at + 7;
  while (pos < lower.size() && (lower[pos] == ' ' || lower[pos] == '\t')) ++pos;
  if (pos >= lower.size() || lower[pos] != '=') return "";
  ++pos;
  while (pos < lower.size() && (lower[pos] == ' ' || lower[pos] == '"' || lower[pos] == '\'')) ++pos;
  size_t end = pos;
  while (end < lower.size() && end - pos < 40) {
    char c = lower[end];
    bool label = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                 c == '.' || c == ':';
    if (!label) break;
    ++end;
  }
  return std::string(lower.substr(pos, end - pos));
}

// The iconv name to decode `charset` with, or "" to only sanitize.
const char* IconvName(std::string_view charset) {
  if (charset == "gbk" || charset == "gb2312" || charset == "gb18030" || charset == "cp936" ||
      charset == "x-gbk" || charset == "euc-cn") {
    return "GB18030";
  }
  if (charset == "big5") return "BIG5";
  if (charset == "iso-8859-1" || charset == "latin1") return "ISO-8859-1";
  if (charset == "windows-1252") return "WINDOWS-1252";
  if (charset == "shift_jis" || charset == "sjis") return "SHIFT_JIS";
  if (charset == "euc-kr") return "EUC-KR";
  return "";
}

}  // namespace

std::string DetectCharset(std::string_view content_type, std::string_view body) {
  std::string from_header = CharsetParam(core::ToLower(content_type));
  if (!from_header.empty()) return from_header;
  std::string head = core::ToLower(body.substr(0, std::min(body.size(), kMetaSearchBytes)));
  size_t meta = 0;
  // Bounded: each pass moves past one "<meta".
  while ((meta = head.find("<meta", meta)) != std::string::npos) {
    size_t end = head.find('>', meta);
    std::string_view tag = std::string_view(head).substr(
        meta, end == std::string::npos ? std::string::npos : end - meta);
    std::string cs = CharsetParam(tag);
    if (!cs.empty()) return cs;
    meta += 5;
  }
  return "";
}

std::string ConvertToUtf8(std::string_view bytes, std::string_view charset) {
  const char* name = IconvName(charset);
  if (*name == '\0') return core::SanitizeUtf8(bytes);
  iconv_t cd = iconv_open("UTF-8", name);
  if (cd == reinterpret_cast<iconv_t>(-1)) return core::SanitizeUtf8(bytes);
  std::string out;
  out.reserve(bytes.size() * 3 / 2 + 16);
  char buf[4096];
  char* in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  // Bounded: every pass consumes input bytes or ends.
  while (in_left > 0) {
    char* o = buf;
    size_t o_left = sizeof(buf);
    size_t rc = iconv(cd, &in, &in_left, &o, &o_left);
    out.append(buf, static_cast<size_t>(o - buf));
    if (rc != static_cast<size_t>(-1)) break;
    if (errno == E2BIG) continue;
    // EILSEQ (a bad sequence) or EINVAL (cut at the end): skip one byte.
    out.append("\xEF\xBF\xBD");
    ++in;
    --in_left;
    iconv(cd, nullptr, nullptr, nullptr, nullptr);
  }
  iconv_close(cd);
  return core::SanitizeUtf8(out);
}

}  // namespace ciiscope::scanner
