#pragma once
// What RunScan checks and keeps besides the sweep itself: the reserved-range
// and authorization gates (before a packet is sent), the options a resumed
// scan must reuse, and whether the process that ran a scan is still alive.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/pipeline.h"
#include "core/result.h"
#include "inventory/model/model.h"
#include "scanner/targets.h"

namespace ciiscope::inventory {
class Store;
}

namespace ciiscope::app {

// Refuses reserved ranges unless allow_reserved, then every target outside
// all currently valid authorizations (kPermission), naming the first few
// uncovered targets and their count.
Status CheckScanAllowed(inventory::Store& store, const std::vector<scanner::Target>& targets,
                        bool allow_reserved);

// The options of a scan that a resume must reproduce, as stored in
// scans.options_json.
std::string ScanOptionsJson(const ScanRequest& request, size_t target_count);

struct ResumePlan {
  ScanRequest request;              // rebuilt from the scans row
  inventory::Scan scan;
  size_t target_count = 0;          // targets when the scan started
  std::optional<inventory::ScanCheckpoint> checkpoint;
};

// Loads scan `scan_id` for --resume: it must be interrupted, or running
// with its process gone (killed). Errors name the scan and why not.
Result<ResumePlan> PlanResume(inventory::Store& store, int64_t scan_id);

// This process as recorded in checkpoints: pid and start time (clock ticks
// after boot, from /proc), so a reused pid is not mistaken for the runner.
struct RunnerId {
  int64_t pid = 0;
  int64_t start = 0;
};
RunnerId SelfRunner();
bool RunnerAlive(const RunnerId& runner);

}  // namespace ciiscope::app
