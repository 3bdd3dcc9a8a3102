#pragma once
// Drills (key periods 重保期 and attack-defence exercises 攻防演练) and what
// happened in their window (migration 0003). Plain structs.

#include <cstdint>
#include <string>
#include <vector>

#include "inventory/model/monitor_event.h"  // MonitorEvent (written by passive monitoring, read by drill reports)

namespace ciiscope::inventory {

struct Drill {
  int64_t id = 0;
  std::string name;
  std::string kind = "exercise";    // key-period | exercise
  std::string status = "running";   // planned | running | finished
  int64_t started_at = 0;           // when `drill start` ran
  int64_t ended_at = 0;             // when `drill stop` ran; 0 = running
  int64_t planned_from = 0;         // announced window; 0 = open
  int64_t planned_until = 0;
  std::vector<std::string> scope;   // target specs or unit codes
  std::string notes;
  std::string created_by;
};

// The window a drill covers: [from, until]; until = now for a running drill.
struct DrillWindow {
  int64_t from = 0;
  int64_t until = 0;
};

struct DrillEvent {
  int64_t id = 0;
  int64_t drill_id = 0;
  int64_t time = 0;
  std::string actor;
  std::string kind;         // start | stop | note | …
  std::string detail_json;
};

// What passive monitoring saw (port scans, forbidden ports, new services).
// Counts of a scan's picture (exposure): what it saw and the findings that
// were present in it.
struct ScanExposure {
  int64_t scan_id = 0;
  int64_t hosts = 0;
  int64_t open_services = 0;
  int64_t findings = 0;
  int64_t critical_high = 0;
};

}  // namespace ciiscope::inventory
