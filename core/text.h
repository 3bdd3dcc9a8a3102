#pragma once
// Text from the network is attacker-controlled: these helpers make it valid
// UTF-8, bounded, and safe for the format it is written into.

#include <cstddef>
#include <string>
#include <string_view>

namespace ciiscope::core {

bool IsValidUtf8(std::string_view s);
// Replaces every invalid UTF-8 sequence with U+FFFD.
std::string SanitizeUtf8(std::string_view s);
// Valid UTF-8 with C0 controls (except \t \n \r), DEL, NUL and bidi
// overrides (U+202A..U+202E, U+2066..U+2069) shown as "\xNN" / "\u{NNNN}" —
// for banners and titles that end up in terminals and reports.
std::string Printable(std::string_view s);
// Cuts at most max_bytes on a UTF-8 boundary; appends "…" when it cut.
std::string TruncateUtf8(std::string_view s, size_t max_bytes);

// & < > " ' escaped; input made valid UTF-8 first.
std::string HtmlEscape(std::string_view s);
// One CSV field: quoted when needed, and a leading = + - @ TAB CR neutralized
// with a leading apostrophe so spreadsheets never evaluate it.
std::string CsvField(std::string_view s);

std::string ToLower(std::string_view s);
std::string_view TrimSpace(std::string_view s);

}  // namespace ciiscope::core
