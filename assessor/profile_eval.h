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
// asset passes and none fails. Read-only: run after Assess.
//
// Output (JSON, schema "ciiscope.profile/1", documented in docs/profiles.md).

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "rulelang/profile.h"
#include "rulelang/rule.h"

namespace ciiscope::inventory {
class Store;
}

namespace ciiscope::assessor {

Result<nlohmann::json> EvaluateProfile(inventory::Store& store, const rulelang::Profile& profile,
                                       const std::vector<rulelang::Rule>& rules, int64_t scan_id);

}  // namespace ciiscope::assessor
