#pragma once
// Page charsets (issue 4): Chinese sites often serve GBK/GB2312/GB18030.
// The charset comes from the Content-Type header, else from the first
// <meta charset=…> / <meta http-equiv=Content-Type content="…charset=…">;
// conversion uses glibc iconv and never fails: bad bytes become U+FFFD.

#include <string>
#include <string_view>

namespace ciiscope::scanner {

// Lower-case charset label ("gbk", "utf-8", …), or "" when none is declared.
// `content_type` may be empty.
std::string DetectCharset(std::string_view content_type, std::string_view body);

// `bytes` in `charset` → valid UTF-8. UTF-8, ASCII and unknown or
// unsupported labels are only sanitized; GBK and GB2312 are decoded as
// GB18030 (their superset). Each undecodable byte becomes U+FFFD. Output is
// at most about 3 bytes per input byte.
std::string ConvertToUtf8(std::string_view bytes, std::string_view charset);

}  // namespace ciiscope::scanner
