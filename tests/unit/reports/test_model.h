#pragma once
// A hand-built report model full of hostile values, for renderer tests.

#include <string>
#include <vector>

#include "reports/report.h"

namespace ciiscope::reports::testing {

inline const std::string kScriptTag = "<script>alert(1)</script>";
inline const std::string kImgBreakout = "\"><img src=x onerror=alert(1)>";
inline const std::string kJsUrl = "javascript:alert(1)";
inline const std::string kFormula = "=cmd|' /C calc'!A0";
inline const std::string kRlo = "\xE2\x80\xAE";  // U+202E RIGHT-TO-LEFT OVERRIDE
inline const std::string kRloName = "invoice" + kRlo + "fdp.exe";
inline const std::string kWithNul = std::string("nul\0byte", 8);
inline const std::string kInvalidUtf8 = "bad\xFF\xFE\xC3\x28utf8";
std::string HugeValue();  // 100 KiB ending in a script tag

std::vector<std::string> HostileValues();

// Two assets, three services, four findings (critical, high, medium, info),
// hostile values in every string field that comes from the network or rules.
ReportModel HostileModel();

// haystack contains needle; for readable assertions.
bool Contains(const std::string& haystack, const std::string& needle);

}  // namespace ciiscope::reports::testing
