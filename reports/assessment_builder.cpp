// BuildAssessmentReport: the only part of reports/ that talks to the store.
// Kept in its own file so renderers link without the store.

#include <set>
#include <utility>

#include "core/clock.h"
#include "inventory/store/store.h"
#include "reports/report.h"

namespace ciiscope::reports {

Result<ReportModel> BuildAssessmentReport(inventory::Store& store,
                                          std::optional<int64_t> scan_id) {
  ReportModel model;
  model.kind = "assessment";
  model.generated_at = core::NowMillis();

  if (scan_id.has_value()) {
    CII_ASSIGN_OR_RETURN(std::optional<inventory::Scan> scan, store.GetScan(*scan_id));
    if (!scan.has_value()) {
      return Error(ErrorCode::kNotFound, "scan " + std::to_string(*scan_id) + " not found");
    }
    model.scan = std::move(scan);
  } else {
    CII_ASSIGN_OR_RETURN(std::optional<inventory::Scan> scan, store.LatestScan());
    if (!scan.has_value()) {
      return Error(ErrorCode::kNotFound, "no scan in DB; run `ciiscope scan` first");
    }
    model.scan = std::move(scan);
  }
  const int64_t id = model.scan->id;

  std::set<int64_t> asset_ids;
  CII_RETURN_IF_ERROR(store.ForEachServiceInScan(
      id, [&](const inventory::Asset& asset, const inventory::Service& service,
              const std::vector<inventory::Evidence>&) -> Status {
        if (asset_ids.insert(asset.id).second) model.assets.push_back(asset);
        model.services.push_back(service);
        return Ok();
      }));

  inventory::FindingFilter filter;
  filter.scan_id = id;
  CII_ASSIGN_OR_RETURN(model.findings, store.ListFindings(filter));

  // Asset-level findings may name assets that have no service in this scan.
  for (const inventory::Finding& f : model.findings) {
    if (f.asset_id == 0 || asset_ids.count(f.asset_id) != 0) continue;
    CII_ASSIGN_OR_RETURN(std::optional<inventory::Asset> asset, store.GetAsset(f.asset_id));
    asset_ids.insert(f.asset_id);
    if (asset.has_value()) model.assets.push_back(std::move(*asset));
  }

  SortReportModel(model);
  return model;
}

}  // namespace ciiscope::reports
