#pragma once
// Evaluates a profile (rulelang/profile.h) over one assessed scan: per asset
// and per owning unit, each item is
//   fail            — a finding of a covering rule was seen on the asset in
//                     this scan (any status but false_positive; accepted
//                     risks still fail, marked accepted),
//   pass            — the asset showed the evidence the item requires and
//                     at least one loaded rule covers it, with no such finding,
//   not_assessable  — no covering rule is loaded, or the asset showed no
//                     evidence of the required kind (e.g. no TLS).
// A unit fails an item if any of its assets fails, passes if at least one
// asset passes and none fails. "rollup" repeats this for each unit's whole
// subtree of the ledger hierarchy (ministry → province → city → school →
// department): a province fails an item when an asset of any school below
// it fails. Read-only: run after Assess.
//
// Output (JSON, schema "ciiscope.profile/1", documented in docs/profiles.md).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "inventory/model/unit.h"
#include "rulelang/profile.h"
#include "rulelang/rule.h"

namespace ciiscope::inventory {
class Store;
}

namespace ciiscope::assessor {

// Per item, how many of a unit's own assets pass and fail.
struct ItemCounts {
  int pass = 0;
  int fail = 0;
};

// The "rollup" array: every unit of the ledger, depth-first from the top
// (children by code), with depth, parent code and per item the status and
// counts over the unit and all units below it. `direct` maps unit id → one
// ItemCounts per item (units without assets may be absent). A parent cycle
// in the ledger cannot loop: each unit is listed once. Pure.
nlohmann::json RollUpUnits(const std::vector<inventory::Unit>& units,
                           const std::vector<std::string>& item_ids,
                           const std::map<int64_t, std::vector<ItemCounts>>& direct);

Result<nlohmann::json> EvaluateProfile(inventory::Store& store, const rulelang::Profile& profile,
                                       const std::vector<rulelang::Rule>& rules, int64_t scan_id);

}  // namespace ciiscope::assessor
