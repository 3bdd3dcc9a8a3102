#pragma once
// Report file names derived from data (a scan id today; unit or host names
// for per-unit notices later) must stay inside the output folder.

#include <cstddef>
#include <string>
#include <string_view>

namespace ciiscope::reports {

// One path component made from untrusted text: never empty, never "." or
// "..", no '/', '\\', NUL or other control, no bidi or zero-width format
// character, no leading '.' (no hidden files). ASCII letters, digits and
// "-_." are kept, other ASCII becomes '_'; other Unicode (e.g. Chinese unit
// names) is kept. Invalid UTF-8 becomes U+FFFD. Cut to max_bytes on a UTF-8
// boundary. "../../x" → "_._.._x"; "" → "report".
std::string SafeFileName(std::string_view name, size_t max_bytes = 100);

// dir + "/" + SafeFileName(name): always a direct child of dir.
std::string PathInDir(const std::string& dir, std::string_view name);

}  // namespace ciiscope::reports
