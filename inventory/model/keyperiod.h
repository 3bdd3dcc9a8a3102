#pragma once
// Key periods (重保期), the look-back list (回头看) and spot checks (飞行检查)
// as the store keeps them (migration 0007, docs/keyperiod.md). Plain structs.

#include <cstdint>
#include <string>
#include <vector>

namespace ciiscope::inventory {

struct KeyPeriodBaseline {
  int64_t id = 0;
  std::string name;
  int64_t window_from = 0;  // Unix ms
  int64_t window_to = 0;    // Unix ms, exclusive
  int64_t taken_at = 0;
  std::string actor;
  std::string trigger = "auto";     // auto | manual
  std::vector<std::string> scope;   // resolved scope; empty = everything
};

// One exposed thing: an open service, an active finding or a shadow asset.
struct ExposureItem {
  std::string kind;      // service | finding | shadow
  std::string key;       // service: address|transport|port; finding: its key; shadow: address
  std::string severity;  // findings only
  std::string label;     // "127.0.0.1:6379/tcp redis", "127.0.0.1:22 rule-id"
  std::string address;   // for scope checks (not stored with baseline items)
  uint16_t port = 0;
  std::string rule;      // findings only
  std::string title_zh, title_en;  // findings only
};

struct LookbackUnit {
  int64_t unit_id = 0;
  std::string code, name, owner;
  int64_t reopened = 0;
  int64_t overdue = 0;
  int64_t last_reopen = 0;
  int64_t since = 0;
  int64_t computed_at = 0;
};

struct SpotCheck {
  int64_t id = 0;
  int64_t time = 0;
  std::string actor;
  uint64_t seed = 0;
  int64_t count = 0;
  std::string profile;
  std::vector<std::string> picked;  // unit codes, in pick order
  int64_t scan_id = 0;              // 0 = none (dry run, or nothing to scan)
  bool dry_run = false;
};

}  // namespace ciiscope::inventory
