#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/context.h"
#include "app/pipeline.h"
#include "inventory/store/store.h"

namespace ciiscope::app {

void AddAssessCommand(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("assess", "Apply the rule packs to stored evidence (no network)");
  auto scan = std::make_shared<int64_t>(0);
  cmd->add_option("--scan", *scan, "Scan id (default: the latest)");
  cmd->callback([&ctx, scan] {
    ctx.action = [&ctx, scan]() -> Status {
      CII_ASSIGN_OR_RETURN(auto rules, LoadRules(ctx));
      CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
      std::optional<int64_t> id;
      if (*scan > 0) id = *scan;
      CII_ASSIGN_OR_RETURN(auto stats, RunAssess(ctx, *store, id, rules));
      fmt::print("assessed {} service(s): {} finding(s) matched, {} new, {} reopened, {} verified fixed\n",
                 stats.services, stats.findings_seen, stats.findings_new, stats.findings_reopened,
                 stats.findings_verified);
      return Ok();
    };
  });
}

}  // namespace ciiscope::app
