#include "assessor/profile_eval.h"

#include <map>
#include <set>
#include <string>

#include "assessor/assessor.h"
#include "inventory/store/store.h"

namespace ciiscope::assessor {
namespace {

using nlohmann::json;

struct AssetEvidence {
  inventory::Asset asset;
  bool service = false, tls = false, http = false;
};

struct Tally {
  int pass = 0, fail = 0, not_assessable = 0;
  void Count(const std::string& status) {
    if (status == "pass") ++pass;
    else if (status == "fail") ++fail;
    else ++not_assessable;
  }
  json ToJson() const { return {{"pass", pass}, {"fail", fail}, {"not_assessable", not_assessable}}; }
};

json FindingJson(const inventory::Finding& f) {
  return {{"id", f.id},         {"rule_id", f.rule_id}, {"severity", f.severity},
          {"status", f.status}, {"port", f.port},       {"transport", f.transport},
          {"title", {{"zh", f.title.zh}, {"en", f.title.en}}}};
}

}  // namespace

Result<json> EvaluateProfile(inventory::Store& store, const rulelang::Profile& profile,
                             const std::vector<rulelang::Rule>& rules, int64_t scan_id) {
  // Which loaded rules evidence each item.
  std::vector<std::set<std::string>> covering(profile.items.size());
  for (size_t i = 0; i < profile.items.size(); ++i) {
    for (const auto& rule : rules) {
      if (rule.kind == rulelang::RuleKind::kCheck && rulelang::ItemCovers(profile.items[i], rule)) {
        covering[i].insert(rule.id);
      }
    }
  }

  // What each asset showed in this scan (streamed; one small entry per asset).
  std::map<int64_t, AssetEvidence> assets;
  CII_RETURN_IF_ERROR(store.ForEachServiceInScan(
      scan_id, [&](const inventory::Asset& asset, const inventory::Service& service,
                   const std::vector<inventory::Evidence>& evidence) -> Status {
        AssetEvidence& e = assets[asset.id];
        e.asset = asset;
        if (service.state == "open") e.service = true;
        for (const auto& ev : evidence) {
          if (ev.kind == "tls") e.tls = true;
          if (ev.kind == "http") e.http = true;
        }
        return Ok();
      }));
  CII_ASSIGN_OR_RETURN(auto units, store.ListUnits());
  std::map<int64_t, const inventory::Unit*> unit_by_id;
  for (const auto& u : units) unit_by_id[u.id] = &u;

  inventory::FindingFilter filter;
  filter.scan_id = scan_id;
  CII_ASSIGN_OR_RETURN(auto findings, store.ListFindings(filter));
  std::map<int64_t, std::vector<const inventory::Finding*>> findings_by_asset;
  for (const auto& f : findings) {
    if (f.status == "false_positive") continue;
    findings_by_asset[f.asset_id].push_back(&f);
    if (!assets.count(f.asset_id)) {  // asset-level finding on an asset without services
      CII_ASSIGN_OR_RETURN(auto asset, store.GetAsset(f.asset_id));
      if (asset) assets[f.asset_id].asset = *asset;
    }
  }

  json items = json::array();
  for (size_t i = 0; i < profile.items.size(); ++i) {
    const auto& item = profile.items[i];
    items.push_back({{"id", item.id},
                     {"clause", item.clause},
                     {"title", {{"zh", item.title.zh}, {"en", item.title.en}}},
                     {"requires", std::string(rulelang::ProfileEvidenceName(item.needs))},
                     {"rules", covering[i]}});
  }

  // unit id → item index → (fails, passes, failing asset ids)
  struct UnitItem {
    int pass = 0, fail = 0;
    std::vector<int64_t> failing_assets;
  };
  std::map<int64_t, std::vector<UnitItem>> unit_items;

  json asset_results = json::array();
  Tally overall;
  for (const auto& [asset_id, ev] : assets) {
    json results = json::array();
    Tally tally;
    auto& per_unit = unit_items[ev.asset.unit_id];
    per_unit.resize(profile.items.size());
    for (size_t i = 0; i < profile.items.size(); ++i) {
      const auto& item = profile.items[i];
      json failing = json::array();
      for (const auto* f : findings_by_asset[asset_id]) {
        if (covering[i].count(f->rule_id)) failing.push_back(FindingJson(*f));
      }
      bool has_evidence = false;
      switch (item.needs) {
        case rulelang::ProfileEvidence::kService: has_evidence = ev.service; break;
        case rulelang::ProfileEvidence::kTls: has_evidence = ev.tls; break;
        case rulelang::ProfileEvidence::kHttp: has_evidence = ev.http; break;
        case rulelang::ProfileEvidence::kUnit: has_evidence = !units.empty(); break;
      }
      std::string status, reason;
      if (!failing.empty()) {
        status = "fail";
        reason = std::to_string(failing.size()) + " finding(s)";
      } else if (covering[i].empty()) {
        status = "not_assessable";
        reason = "no loaded rule evidences this item";
      } else if (!has_evidence) {
        status = "not_assessable";
        reason = "no " + std::string(rulelang::ProfileEvidenceName(item.needs)) + " evidence for this asset";
      } else {
        status = "pass";
        reason = "no finding of " + std::to_string(covering[i].size()) + " covering rule(s)";
      }
      tally.Count(status);
      overall.Count(status);
      if (status == "fail") {
        ++per_unit[i].fail;
        per_unit[i].failing_assets.push_back(asset_id);
      } else if (status == "pass") {
        ++per_unit[i].pass;
      }
      results.push_back({{"item", item.id}, {"status", status}, {"reason", reason}, {"findings", failing}});
    }
    asset_results.push_back({{"asset_id", asset_id},
                             {"address", ev.asset.address},
                             {"unit_id", ev.asset.unit_id},
                             {"role", ev.asset.role},
                             {"cii_status", ev.asset.cii_status},
                             {"summary", tally.ToJson()},
                             {"results", results}});
  }

  json unit_results = json::array();
  for (const auto& [unit_id, per_item] : unit_items) {
    json results = json::array();
    Tally tally;
    for (size_t i = 0; i < per_item.size(); ++i) {
      std::string status = per_item[i].fail ? "fail" : (per_item[i].pass ? "pass" : "not_assessable");
      tally.Count(status);
      results.push_back({{"item", profile.items[i].id},
                         {"status", status},
                         {"assets_failing", per_item[i].failing_assets},
                         {"assets_passing", per_item[i].pass}});
    }
    auto u = unit_by_id.find(unit_id);
    unit_results.push_back({{"unit_id", unit_id},
                            {"code", u == unit_by_id.end() ? "" : u->second->code},
                            {"name", u == unit_by_id.end() ? "(unowned)" : u->second->name},
                            {"summary", tally.ToJson()},
                            {"results", results}});
  }

  return json{{"schema", "ciiscope.profile/1"},
              {"profile", profile.id},
              {"title", {{"zh", profile.title.zh}, {"en", profile.title.en}}},
              {"standard", profile.standard},
              {"level", profile.level},
              {"scan_id", scan_id},
              {"items", items},
              {"summary", overall.ToJson()},
              {"assets", asset_results},
              {"units", unit_results}};
}

}  // namespace ciiscope::assessor
