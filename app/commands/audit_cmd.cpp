#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/commands/scan_options.h"
#include "app/context.h"
#include "inventory/store/store.h"

namespace ciiscope::app {

void AddAuditCommand(CLI::App& app, Context& ctx) {
  struct Opts {
    ScanFlags flags;
    std::string formats = "html,json,csv";
    std::string out = "ciiscope-report";
    std::string fail_on;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("audit", "Scan, assess and report in one go (the main job)");
  AddScanFlags(cmd, o->flags);
  cmd->add_option("--format", o->formats, "Report formats: html,json,csv")->capture_default_str();
  cmd->add_option("-o,--output", o->out, "Report directory")->capture_default_str();
  cmd->add_option("--fail-on", o->fail_on, "Exit 1 if open findings at or above SEVERITY exist")
      ->check(CLI::IsMember({"info", "low", "medium", "high", "critical"}));
  cmd->callback([&ctx, o] {
    ctx.action = [&ctx, o]() -> Status {
      CII_RETURN_IF_ERROR(FinalizeScanFlags(o->flags));
      CII_ASSIGN_OR_RETURN(auto formats, ParseFormats(o->formats));
      CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
      CII_ASSIGN_OR_RETURN(auto result, RunAudit(ctx, *store, o->flags.request, formats, o->out));
      if (!o->fail_on.empty()) {
        CII_ASSIGN_OR_RETURN(ctx.exit_code, FailOnCode(*store, o->fail_on, result.scan.scan_id));
      }
      return Ok();
    };
  });
}

}  // namespace ciiscope::app
