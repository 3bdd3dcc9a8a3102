#pragma once

#include <cstdint>
#include <string>

namespace ciiscope::core {

// Milliseconds since the Unix epoch (UTC wall clock).
int64_t NowMillis();
// "2026-11-29T01:42:25Z" (UTC, second precision).
std::string FormatIsoTime(int64_t unix_millis);

}  // namespace ciiscope::core
