#pragma once
// Asset and unit scores (issue 6 item 6; formula and worked examples in
// docs/scoring.md). The pure part: finding points, asset scores and the
// roll-up of asset scores through the unit hierarchy. ComputeScores (below)
// streams the store's assets and findings through it.
//
//   points(f)  = w(severity) × m(asset) × (1 + overdue_extra·[overdue]) × (1 + repeat_extra·[repeat])
//   m(asset)   = criticality multiplier × CII multiplier
//   score(a)   = max(floor, base − Σ points − shadow_asset_points·[shadow asset charged to a unit])
//   score(u)   = Σ m(a)·score(a) / Σ m(a) over the assets of u and every unit below it (base if none)
//   own(u)     = the same over u's own assets only

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "rulelang/scoring_table.h"

namespace ciiscope::inventory {
class Store;
}

namespace ciiscope::assessor {

// One finding as scoring sees it.
struct ScoredFinding {
  std::string severity;
  std::string status;
  int64_t due_at = 0;    // 0 = none; for accepted findings: when acceptance expires
  bool repeat = false;   // was reopened at some point (回头看)
};

// Whether the finding counts at `now`: its status is counted, or it is
// accepted and the acceptance has expired.
bool Counts(const rulelang::ScoringTable& t, const ScoredFinding& f, int64_t now);
// Counted and past its due date.
bool Overdue(const rulelang::ScoringTable& t, const ScoredFinding& f, int64_t now);
double AssetMultiplier(const rulelang::ScoringTable& t, const std::string& criticality,
                       const std::string& cii_status);
// 0 when the finding does not count.
double FindingPoints(const rulelang::ScoringTable& t, const ScoredFinding& f, double multiplier,
                     int64_t now);
double AssetScore(const rulelang::ScoringTable& t, double points, bool shadow_charged);

// Accumulates scored assets per unit and rolls them up the hierarchy.
// Memory: one entry per unit; assets and findings are not kept.
class UnitScorer {
 public:
  struct Totals {
    double weighted = 0;   // Σ m(a)·score(a)
    double weight = 0;     // Σ m(a)
    int64_t assets = 0;
    int64_t findings = 0;  // counted findings
    int64_t overdue = 0;
    int64_t repeat = 0;
    int64_t shadow = 0;    // shadow assets charged here
    int64_t critical_high = 0;
    double points = 0;     // Σ points (without shadow)
  };
  struct Result {
    int64_t unit_id = 0;
    int64_t parent_id = 0;
    double own_score = 0;  // own assets only
    double score = 0;      // own assets and every unit below
    Totals own;
    Totals subtree;
  };

  explicit UnitScorer(const rulelang::ScoringTable& table) : table_(table) {}

  // Declares a unit and its parent (0 = top). Units may come in any order.
  void AddUnit(int64_t unit_id, int64_t parent_id);
  // One asset's contribution to unit_id (0 = no unit: kept in unowned()).
  void AddAsset(int64_t unit_id, double multiplier, double score, const Totals& counts);
  // Rolls subtree totals up (a parent cycle is cut where it closes) and
  // returns one result per declared unit, in declaration order.
  std::vector<Result> Finish() const;
  const Totals& unowned() const { return unowned_; }

 private:
  const rulelang::ScoringTable& table_;
  std::vector<int64_t> order_;
  std::unordered_map<int64_t, int64_t> parent_;
  std::unordered_map<int64_t, Totals> own_;
  Totals unowned_;
};

struct ScoreRunSummary {
  int64_t run_id = 0;
  int64_t units = 0;
  int64_t assets = 0;
  int64_t findings = 0;  // counted
  UnitScorer::Totals unowned;
};

// Streams every asset with its findings from the store, scores them at
// `now`, rolls unit scores up and stores them as a new score run (the trend
// of a scorecard is the series of runs). Memory is bounded by the number of
// units, not of assets or findings.
Result<ScoreRunSummary> ComputeScores(inventory::Store& store, const rulelang::ScoringTable& table,
                                      int64_t now, const std::string& actor);

}  // namespace ciiscope::assessor
