#pragma once
// Scores and the accountability views a scorecard reads (docs/scoring.md).
// Plain structs; inventory/store persists and queries them.

#include <cstdint>
#include <string>

#include "inventory/model/model.h"

namespace ciiscope::inventory {

// A finding as the scorer reads it (store → assessor/scoring.h).
struct ScoringFinding {
  std::string rule_id;
  std::string severity;
  std::string status;
  int64_t due_at = 0;
  bool repeat = false;      // reopened at least once (回头看)
  std::string detail_json;  // only for the rules asked for; else empty
};

struct ScoreRun {
  int64_t id = 0;
  int64_t time = 0;
  std::string actor;
  std::string table_source;
  int table_version = 1;
  int64_t assets = 0;
  int64_t findings = 0;
  int64_t unowned_assets = 0;
  double unowned_score = 0;
  double mean_top_score = 0;  // mean score of the top-level units (read only)
};

struct UnitScore {
  int64_t run_id = 0;
  int64_t unit_id = 0;
  int64_t parent_id = 0;
  double score = 0;
  double own_score = 0;
  int64_t assets = 0;
  int64_t subtree_assets = 0;
  int64_t findings = 0;
  int64_t overdue = 0;
  int64_t repeat = 0;
  int64_t shadow = 0;
  int64_t critical_high = 0;
  double points = 0;
};

// A unit's score in a run, with what a ranking shows beside it.
struct RankedUnitScore {
  UnitScore score;
  std::string code, name, level, owner, contact;
  std::string parent_name;   // "" at the top
  int64_t rank = 0;          // 1 = best among units with the same parent
  int64_t siblings = 0;      // units with the same parent (itself included)
  bool has_previous = false; // scored in the run before
  double previous_score = 0;
};

// A finding with the unit accountable for it (its asset's unit).
struct AccountableFinding {
  Finding finding;
  int64_t unit_id = 0;       // 0 = no unit owns the asset
  std::string unit_code, unit_name, unit_owner, unit_contact;
  int64_t reopened_at = 0;   // last time it was reopened (0 = never)
  int64_t fixed_at = 0;      // last time before that it was fixed/verified/closed
  int64_t reopen_count = 0;
};

}  // namespace ciiscope::inventory
