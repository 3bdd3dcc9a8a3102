#pragma once
// The asset ledger (台账) and rectification-notice views a report reads.
// Plain structs; inventory/store/store_ledger.cpp queries them.

#include <array>
#include <cstdint>
#include <string>

#include "inventory/model/model.h"

namespace ciiscope::inventory {

// Severity index of the per-severity counts: info, low, medium, high, critical.
inline constexpr std::array<const char*, 5> kLedgerSeverities = {"info", "low", "medium", "high",
                                                           "critical"};

// One asset of the ledger with its unit and what is open on it.
struct LedgerRow {
  Asset asset;
  std::string unit_code, unit_name, unit_level, unit_owner, unit_contact;
  std::string unit_path;        // names from the top: "教育部 / 某省教育厅 / 某大学"
  int64_t open_services = 0;    // services in state open
  std::array<int64_t, 5> open_findings{};  // counted findings by kLedgerSeverities index
  bool shuangfei = false;       // a counted 双非 finding names a unit's domain
};

struct LedgerTotals {
  int64_t assets = 0, confirmed = 0, candidates = 0, rejected = 0;
  int64_t registered = 0, shadow = 0, shuangfei = 0, units = 0;
};

// A unit a rectification notice (整改通知书) goes to: it has counted findings.
struct NoticeUnit {
  int64_t unit_id = 0;
  std::string code, name, level, owner, contact, path;
  int64_t findings = 0, overdue = 0, critical_high = 0;
  int64_t earliest_due = 0;  // earliest due date set (0 = none)
};

}  // namespace ciiscope::inventory
