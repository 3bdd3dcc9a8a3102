#pragma once
// A real SQLite inventory for the sectioned report kinds (scorecard, diff,
// drill), with hostile values (test_model.h) in unit names, owners, titles,
// host names, products, drill names and monitor events, and a unit named
// "../../x". Times are fixed (kT0 …) so reports are reproducible.

#include <cstdint>
#include <string>

namespace ciiscope::reports::testing {

inline constexpr int64_t kT0 = 1'764'000'000'000;  // 2025-11-24T16:00:00Z
inline constexpr int64_t kHour = 3'600'000;

// Creates (or fills) the database at path: 3 units, 2 scans (1 at kT0+1h,
// 2 at kT0+3h), 3 assets, 3 services, 3 findings (one new in scan 2, one
// fixed by scan 2, one overdue and reopened), a drill from kT0 to kT0+4h
// with events and 2 monitor events, and 2 score runs (ids 1, 2).
void FillHostileStore(const std::string& path);

}  // namespace ciiscope::reports::testing
