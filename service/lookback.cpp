#include "service/lookback.h"

#include <algorithm>
#include <map>

#include "inventory/store/store.h"

namespace ciiscope::service {

Result<std::vector<inventory::LookbackUnit>> RefreshLookback(inventory::Store& store, int64_t now_ms,
                                                             int days) {
  const int64_t since = now_ms - int64_t{days} * 24 * 3600 * 1000;
  std::map<int64_t, inventory::LookbackUnit> by_unit;
  auto entry = [&](int64_t unit_id) -> inventory::LookbackUnit& {
    auto& u = by_unit[unit_id];
    u.unit_id = unit_id;
    u.since = since;
    u.computed_at = now_ms;
    return u;
  };
  CII_RETURN_IF_ERROR(store.ForEachRepeatFinding([&](const inventory::AccountableFinding& f) -> Status {
    if (f.unit_id == 0 || f.reopened_at < since) return Ok();
    auto& u = entry(f.unit_id);
    ++u.reopened;
    u.last_reopen = std::max(u.last_reopen, f.reopened_at);
    return Ok();
  }));
  CII_RETURN_IF_ERROR(store.ForEachAccountableFinding(
      now_ms, /*overdue_only=*/true, [&](const inventory::AccountableFinding& f) -> Status {
        if (f.unit_id != 0) ++entry(f.unit_id).overdue;
        return Ok();
      }));
  std::vector<inventory::LookbackUnit> rows;
  for (auto& [id, u] : by_unit) rows.push_back(u);
  CII_RETURN_IF_ERROR(store.ReplaceLookback(rows));
  return store.ListLookback();
}

}  // namespace ciiscope::service
