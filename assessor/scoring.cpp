#include "assessor/scoring.h"

#include <algorithm>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "inventory/store/store.h"

namespace ciiscope::assessor {
namespace {

double Lookup(const std::map<std::string, double>& m, const std::string& key) {
  auto it = m.find(key.empty() ? std::string("unknown") : key);
  if (it == m.end()) it = m.find("unknown");
  return it == m.end() ? 1.0 : it->second;
}

void Add(UnitScorer::Totals& to, const UnitScorer::Totals& from) {
  to.weighted += from.weighted;
  to.weight += from.weight;
  to.assets += from.assets;
  to.findings += from.findings;
  to.overdue += from.overdue;
  to.repeat += from.repeat;
  to.shadow += from.shadow;
  to.critical_high += from.critical_high;
  to.points += from.points;
}

double Mean(const rulelang::ScoringTable& t, const UnitScorer::Totals& x) {
  return x.weight > 0 ? x.weighted / x.weight : t.base;
}

}  // namespace

bool Counts(const rulelang::ScoringTable& t, const ScoredFinding& f, int64_t now) {
  if (std::find(t.counted_statuses.begin(), t.counted_statuses.end(), f.status) !=
      t.counted_statuses.end()) {
    return true;
  }
  return f.status == "accepted" && f.due_at > 0 && f.due_at < now;
}

bool Overdue(const rulelang::ScoringTable& t, const ScoredFinding& f, int64_t now) {
  return Counts(t, f, now) && f.due_at > 0 && f.due_at < now;
}

double AssetMultiplier(const rulelang::ScoringTable& t, const std::string& criticality,
                       const std::string& cii_status) {
  return Lookup(t.criticality_multipliers, criticality) * Lookup(t.cii_multipliers, cii_status);
}

double FindingPoints(const rulelang::ScoringTable& t, const ScoredFinding& f, double multiplier,
                     int64_t now) {
  if (!Counts(t, f, now)) return 0;
  auto w = t.severity_weights.find(f.severity);
  double weight = w == t.severity_weights.end() ? 0 : w->second;
  double points = weight * multiplier;
  if (Overdue(t, f, now)) points *= 1 + t.overdue_extra;
  if (f.repeat) points *= 1 + t.repeat_extra;
  return points;
}

double AssetScore(const rulelang::ScoringTable& t, double points, bool shadow_charged) {
  double deduction = points + (shadow_charged ? t.shadow_asset_points : 0);
  return std::max(t.floor, t.base - deduction);
}

void UnitScorer::AddUnit(int64_t unit_id, int64_t parent_id) {
  if (parent_.emplace(unit_id, parent_id).second) order_.push_back(unit_id);
  own_.try_emplace(unit_id);
}

void UnitScorer::AddAsset(int64_t unit_id, double multiplier, double score,
                          const Totals& counts) {
  Totals t = counts;
  t.weighted = multiplier * score;
  t.weight = multiplier;
  t.assets = 1;
  auto it = unit_id == 0 ? own_.end() : own_.find(unit_id);
  Add(it == own_.end() ? unowned_ : it->second, t);
}

std::vector<UnitScorer::Result> UnitScorer::Finish() const {
  // Depth of each unit (a cycle or a parent outside the set ends the chain).
  std::unordered_map<int64_t, int> depth;
  for (int64_t id : order_) {
    std::unordered_set<int64_t> seen = {id};
    int d = 0;
    for (int64_t p = parent_.at(id); p != 0 && parent_.count(p) && seen.insert(p).second;
         p = parent_.at(p)) {
      ++d;
    }
    depth[id] = d;
  }
  std::vector<int64_t> deepest_first = order_;
  std::stable_sort(deepest_first.begin(), deepest_first.end(),
                   [&](int64_t a, int64_t b) { return depth[a] > depth[b]; });
  std::unordered_map<int64_t, Totals> subtree;
  for (int64_t id : order_) subtree[id] = own_.at(id);
  for (int64_t id : deepest_first) {
    int64_t p = parent_.at(id);
    // Only roll into a strictly shallower parent: cuts a cycle where it closes.
    if (p != 0 && parent_.count(p) && depth[p] < depth[id]) Add(subtree[p], subtree[id]);
  }
  std::vector<Result> out;
  out.reserve(order_.size());
  for (int64_t id : order_) {
    Result r;
    r.unit_id = id;
    r.parent_id = parent_.at(id);
    r.own = own_.at(id);
    r.subtree = subtree.at(id);
    r.own_score = Mean(table_, r.own);
    r.score = Mean(table_, r.subtree);
    out.push_back(r);
  }
  return out;
}

Result<ScoreRunSummary> ComputeScores(inventory::Store& store, const rulelang::ScoringTable& table,
                                      int64_t now, const std::string& actor) {
  CII_ASSIGN_OR_RETURN(std::vector<inventory::Unit> units, store.ListUnits());
  UnitScorer scorer(table);
  std::unordered_map<std::string, int64_t> by_code;
  for (const inventory::Unit& u : units) {
    scorer.AddUnit(u.id, u.parent_id);
    by_code.emplace(u.code, u.id);
  }
  units.clear();
  units.shrink_to_fit();

  ScoreRunSummary summary;
  CII_RETURN_IF_ERROR(store.ForEachAssetForScoring(
      table.shadow_rules,
      [&](const inventory::Asset& asset,
          const std::vector<inventory::ScoringFinding>& findings) -> Status {
        const double m = AssetMultiplier(table, asset.criticality, asset.cii_status);
        UnitScorer::Totals counts;
        int64_t unit = asset.unit_id;
        bool shadow = false;
        for (const inventory::ScoringFinding& sf : findings) {
          ScoredFinding f{sf.severity, sf.status, sf.due_at, sf.repeat};
          double p = FindingPoints(table, f, m, now);
          if (!Counts(table, f, now)) continue;
          counts.points += p;
          ++counts.findings;
          if (Overdue(table, f, now)) ++counts.overdue;
          if (f.repeat) ++counts.repeat;
          if (f.severity == "critical" || f.severity == "high") ++counts.critical_high;
          if (sf.detail_json.empty()) continue;
          // A shadow-asset finding naming a unit's registered domain (双非)
          // charges that unit when no unit owns the address.
          nlohmann::json d = nlohmann::json::parse(sf.detail_json, nullptr, false);
          const nlohmann::json* code = nullptr;
          if (d.is_object() && d.contains("ledger") && d["ledger"].is_object() &&
              d["ledger"].contains("domain") && d["ledger"]["domain"].is_object()) {
            auto it = d["ledger"]["domain"].find("unit");
            if (it != d["ledger"]["domain"].end() && it->is_string()) code = &*it;
          }
          if (unit == 0 && code != nullptr) {
            auto found = by_code.find(code->get<std::string>());
            if (found != by_code.end()) {
              unit = found->second;
              shadow = true;
            }
          }
        }
        if (asset.ledger_status == "shadow" && asset.unit_id != 0) shadow = true;
        if (shadow) counts.shadow = 1;
        ++summary.assets;
        summary.findings += counts.findings;
        scorer.AddAsset(unit, m, AssetScore(table, counts.points, shadow), counts);
        return Ok();
      }));

  std::vector<inventory::UnitScore> rows;
  for (const UnitScorer::Result& r : scorer.Finish()) {
    inventory::UnitScore s;
    s.unit_id = r.unit_id;
    s.parent_id = r.parent_id;
    s.score = r.score;
    s.own_score = r.own_score;
    s.assets = r.own.assets;
    s.subtree_assets = r.subtree.assets;
    s.findings = r.own.findings;
    s.overdue = r.own.overdue;
    s.repeat = r.own.repeat;
    s.shadow = r.own.shadow;
    s.critical_high = r.own.critical_high;
    s.points = r.own.points;
    rows.push_back(s);
  }
  inventory::ScoreRun run;
  run.time = now;
  run.actor = actor;
  run.table_source = table.source;
  run.table_version = table.version;
  run.assets = summary.assets;
  run.findings = summary.findings;
  run.unowned_assets = scorer.unowned().assets;
  run.unowned_score = scorer.unowned().weight > 0
                          ? scorer.unowned().weighted / scorer.unowned().weight
                          : table.base;
  CII_ASSIGN_OR_RETURN(summary.run_id, store.SaveScoreRun(run, rows));
  summary.units = static_cast<int64_t>(rows.size());
  summary.unowned = scorer.unowned();
  return summary;
}

}  // namespace ciiscope::assessor
