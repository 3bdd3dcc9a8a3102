#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ciiscope::core {

// Milliseconds since the Unix epoch (UTC wall clock).
int64_t NowMillis();
// "2026-11-29T01:42:25Z" (UTC, second precision).
std::string FormatIsoTime(int64_t unix_millis);

// "2026-12-31" (start of that day, or its last millisecond when end_of_day)
// or "2026-12-31T08:00[:SS][Z]", UTC, to Unix ms; nullopt if malformed.
std::optional<int64_t> ParseIsoTime(std::string_view text, bool end_of_day);

}  // namespace ciiscope::core
