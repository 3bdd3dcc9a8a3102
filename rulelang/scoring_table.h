#pragma once
// The scoring table (rules/scoring/*.yaml; formula in docs/scoring.md): data
// that turns findings into asset and unit scores. Loaded like a rule file:
// size-capped, every error "file:line:col: expected …". Immutable once
// loaded; safe to share between threads.

#include <map>
#include <string>
#include <vector>

#include "core/result.h"

namespace ciiscope::rulelang {

struct ScoringTable {
  std::string source;                                // the file it came from
  int version = 1;
  double base = 100;
  double floor = 0;
  std::map<std::string, double> severity_weights;    // info … critical
  std::map<std::string, double> criticality_multipliers;  // "unknown" = "" or unlisted
  std::map<std::string, double> cii_multipliers;          // "unknown" = "" or unlisted
  double overdue_extra = 0;
  double repeat_extra = 0;
  double shadow_asset_points = 0;
  std::vector<std::string> shadow_rules;
  std::vector<std::string> counted_statuses;
};

// Loads one scoring file. All keys are required except the multiplier maps'
// entries (missing = 1); unknown keys, negative numbers, floor >= base and a
// severity missing from severity_weights are errors.
Result<ScoringTable> LoadScoringTable(const std::string& path);
// DIR/scoring/scoring.yaml (DIR = a rules directory).
std::string ScoringTablePath(const std::string& rules_dir);

}  // namespace ciiscope::rulelang
