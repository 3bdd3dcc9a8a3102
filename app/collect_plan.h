#pragma once
// The scanner's collection plan from the rule packs' `collect:` blocks
// (rulelang/collect.h → scanner/collect_plan.h).

#include <vector>

#include "app/context.h"
#include "rulelang/rule.h"
#include "scanner/collect_plan.h"

namespace ciiscope::app {

// Every rule's HTTP requests, deduplicated; past HttpCollectPlan::kMaxPaths
// the rest are dropped with a warning naming how many.
scanner::HttpCollectPlan HttpCollectPlanFor(const std::vector<rulelang::Rule>& rules);

// For `scan` without rules in hand: loads the rules directory when it
// exists; files that fail to load are skipped (a warning points to
// `ciiscope rules lint`) and contribute nothing.
scanner::HttpCollectPlan HttpCollectPlanFromRulesDir(const Context& ctx);

}  // namespace ciiscope::app
