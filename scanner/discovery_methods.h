#pragma once
// The privileged discovery methods behind scanner/discovery.h. Each marks
// targets it finds in `up` (indices into `targets`; already-up targets are
// not probed again) and returns how many it found, or nullopt when it could
// not run at all (no privilege, no capture) — a skip, not an error.

#include <atomic>
#include <chrono>
#include <optional>
#include <vector>

#include "scanner/targets.h"

namespace ciiscope::scanner {

std::optional<size_t> IcmpEchoPing(const std::vector<Target>& targets, std::vector<bool>& up,
                                   std::chrono::milliseconds timeout, const std::atomic<bool>& stop);

std::optional<size_t> ArpPing(const std::vector<Target>& targets, std::vector<bool>& up,
                              std::chrono::milliseconds timeout, const std::atomic<bool>& stop);

}  // namespace ciiscope::scanner
