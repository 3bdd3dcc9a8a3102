#pragma once
// The look-back list (回头看, docs/keyperiod.md): units with a finding
// reopened within the look-back window (default the last 90 days) or a
// counted finding past its due date now. Kept in lookback_units and
// recomputed after every assess, spot check and `lookback list`; spot checks
// weight their pick toward it.

#include <cstdint>
#include <vector>

#include "core/result.h"
#include "inventory/model/keyperiod.h"

namespace ciiscope::inventory {
class Store;
}

namespace ciiscope::service {

inline constexpr int kLookbackDays = 90;

// Recomputes and stores the list at now_ms; returns it (most findings first).
Result<std::vector<inventory::LookbackUnit>> RefreshLookback(inventory::Store& store, int64_t now_ms,
                                                             int days = kLookbackDays);

}  // namespace ciiscope::service
