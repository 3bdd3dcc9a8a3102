#include "assessor/profile_eval.h"

#include <algorithm>
#include <functional>
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

std::string ItemStatus(const ItemCounts& c) {
  return c.fail > 0 ? "fail" : (c.pass > 0 ? "pass" : "not_assessable");
}

}  // namespace

json RollUpUnits(const std::vector<inventory::Unit>& units, const std::vector<std::string>& item_ids,
                 const std::map<int64_t, std::vector<ItemCounts>>& direct) {
  std::map<int64_t, const inventory::Unit*> by_id;
  for (const auto& u : units) by_id[u.id] = &u;
  std::map<int64_t, std::vector<const inventory::Unit*>> children;
  std::vector<const inventory::Unit*> roots;
  for (const auto& u : units) {
    if (u.parent_id != 0 && u.parent_id != u.id && by_id.count(u.parent_id)) {
      children[u.parent_id].push_back(&u);
    } else {
      roots.push_back(&u);
    }
  }
  auto by_code = [](const inventory::Unit* a, const inventory::Unit* b) { return a->code < b->code; };
  std::sort(roots.begin(), roots.end(), by_code);
  for (auto& [id, list] : children) std::sort(list.begin(), list.end(), by_code);

  // Subtree totals, post-order, each unit once (a parent cycle has no root:
  // its units are then walked from the lowest code, see below).
  std::map<int64_t, std::vector<ItemCounts>> total;
  std::set<int64_t> visited;
  json out = json::array();
  std::function<void(const inventory::Unit*, int)> walk = [&](const inventory::Unit* u, int depth) {
    if (!visited.insert(u->id).second) return;
    size_t at = out.size();
    out.push_back(json::object());
    std::vector<ItemCounts> sum(item_ids.size());
    if (auto d = direct.find(u->id); d != direct.end()) {
      for (size_t i = 0; i < sum.size() && i < d->second.size(); ++i) sum[i] = d->second[i];
    }
    for (const auto* child : children[u->id]) {
      walk(child, depth + 1);
      if (auto t = total.find(child->id); t != total.end()) {
        for (size_t i = 0; i < sum.size(); ++i) {
          sum[i].pass += t->second[i].pass;
          sum[i].fail += t->second[i].fail;
        }
      }
    }
    json results = json::array();
    Tally tally;
    for (size_t i = 0; i < sum.size(); ++i) {
      std::string status = ItemStatus(sum[i]);
      tally.Count(status);
      results.push_back({{"item", item_ids[i]},
                         {"status", status},
                         {"assets_failing", sum[i].fail},
                         {"assets_passing", sum[i].pass}});
    }
    out[at] = {{"unit_id", u->id},     {"code", u->code},        {"name", u->name},
               {"level", u->level},    {"parent", u->parent_code}, {"depth", depth},
               {"summary", tally.ToJson()}, {"results", results}};
    total[u->id] = std::move(sum);
  };
  for (const auto* root : roots) walk(root, 0);
  std::vector<const inventory::Unit*> rest;
  for (const auto& u : units) {
    if (!visited.count(u.id)) rest.push_back(&u);
  }
  std::sort(rest.begin(), rest.end(), by_code);
  for (const auto* u : rest) walk(u, 0);
  return out;
}

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
  std::map<int64_t, std::vector<ItemCounts>> direct;
  for (const auto& [unit_id, per_item] : unit_items) {
    json results = json::array();
    Tally tally;
    auto& counts = direct[unit_id];
    for (size_t i = 0; i < per_item.size(); ++i) {
      counts.push_back({per_item[i].pass, per_item[i].fail});
      std::string status = ItemStatus(counts.back());
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

  std::vector<std::string> item_ids;
  for (const auto& item : profile.items) item_ids.push_back(item.id);
  json rollup = RollUpUnits(units, item_ids, direct);

  return json{{"schema", "ciiscope.profile/1"},
              {"profile", profile.id},
              {"title", {{"zh", profile.title.zh}, {"en", profile.title.en}}},
              {"standard", profile.standard},
              {"level", profile.level},
              {"scan_id", scan_id},
              {"items", items},
              {"summary", overall.ToJson()},
              {"assets", asset_results},
              {"units", unit_results},
              {"rollup", rollup}};
}

}  // namespace ciiscope::assessor
