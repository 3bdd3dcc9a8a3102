#include "app/collect_plan.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "rulelang/collect.h"

namespace ciiscope::app {

scanner::HttpCollectPlan HttpCollectPlanFor(const std::vector<rulelang::Rule>& rules) {
  scanner::HttpCollectPlan plan;
  std::vector<rulelang::HttpCollectRequest> requests = rulelang::HttpCollectRequests(rules);
  if (requests.size() > scanner::HttpCollectPlan::kMaxPaths) {
    spdlog::warn("rules ask to collect {} HTTP paths; only the first {} (by path) are fetched",
                 requests.size(), scanner::HttpCollectPlan::kMaxPaths);
    requests.resize(scanner::HttpCollectPlan::kMaxPaths);
  }
  for (auto& r : requests) plan.requests.push_back({std::move(r.path), r.method == "HEAD"});
  plan.named = rulelang::NamedCollectRequests(rules);
  return plan;
}

scanner::HttpCollectPlan HttpCollectPlanFromRulesDir(const Context& ctx) {
  const std::string dir = RulesDir(ctx);
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return {};
  rulelang::RuleSet set = rulelang::LoadRuleDir(dir);
  if (!set.errors.empty()) {
    spdlog::warn("{} rule file(s) under {} failed to load; their collect: paths and requests are not gathered "
                 "(first: {}; see `ciiscope rules lint`)",
                 set.errors.size(), dir, set.errors.front().message());
  }
  return HttpCollectPlanFor(set.rules);
}

}  // namespace ciiscope::app
