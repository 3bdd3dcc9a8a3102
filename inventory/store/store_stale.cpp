// Store: the stale-asset pass of the assessor (assets not seen for a while).
#include <string>

#include "inventory/store/sqlite_util.h"
#include "inventory/store/store.h"
#include "inventory/store/store_rows.h"

namespace ciiscope::inventory {

using sqlite::Statement;

Status Store::ForEachAssetNotSeenSince(
    int64_t cutoff, size_t batch_size,
    const std::function<Status(const std::vector<Asset>&)>& fn) {
  if (batch_size == 0) batch_size = 1;
  CII_ASSIGN_OR_RETURN(Statement page,
                       Statement::Prepare(db_, path_,
                                          "SELECT " + std::string(kAssetColumns) +
                                              " FROM assets a WHERE a.last_seen < ?1 AND "
                                              "a.id > ?2 ORDER BY a.id LIMIT ?3"));
  int64_t after = 0;
  std::vector<Asset> assets;
  while (true) {
    assets.clear();
    page.Bind(1, cutoff).Bind(2, after).Bind(3, static_cast<int64_t>(batch_size));
    while (true) {
      CII_ASSIGN_OR_RETURN(bool row, page.Step());
      if (!row) break;
      assets.push_back(ReadAsset(page));
      after = assets.back().id;
    }
    page.Reset();
    if (assets.empty()) return Ok();
    CII_RETURN_IF_ERROR(fn(assets));
    if (assets.size() < batch_size) return Ok();
  }
}

Result<int> Store::VerifyFindingsOfAssetsSeenSince(int64_t scan_id,
                                                   const std::vector<std::string>& rule_ids,
                                                   int64_t cutoff, std::string_view actor) {
  if (rule_ids.empty()) return 0;
  const std::string rules = sqlite::ToJsonArray(rule_ids);
  int changed = 0;
  CII_RETURN_IF_ERROR(Transaction([&]() -> Status {
    CII_ASSIGN_OR_RETURN(
        changed,
        VerifySelected(db_, path_,
                       "service_id IS NULL AND rule_id IN (SELECT value FROM json_each(?1)) AND "
                       "asset_id IN (SELECT id FROM assets WHERE last_seen >= ?2)",
                       [&](Statement& stmt) { stmt.Bind(1, rules).Bind(2, cutoff); }, actor,
                       "asset seen again (scan " + std::to_string(scan_id) + ")"));
    return Ok();
  }));
  return changed;
}

}  // namespace ciiscope::inventory
