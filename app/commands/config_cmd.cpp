// `ciiscope config check [FILE]`: validates the workspace configuration
// (docs/config.md) and prints what it defines, or one `file:line:column:`
// error line.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <filesystem>

#include "app/context.h"
#include "app/service_commands.h"
#include "service/config.h"

namespace ciiscope::app {

void AddConfigCommand(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("config", "The workspace configuration ciiscope.yaml");
  cmd->require_subcommand(1);
  auto file = std::make_shared<std::string>();
  auto* check = cmd->add_subcommand("check", "Validate FILE (default: --config, else ./ciiscope.yaml)");
  check->add_option("FILE", *file, "Configuration file");
  const CLI::Option* config_flag = app.get_option_no_throw("--config");
  check->callback([&ctx, file, config_flag] {
    ctx.action = [file, config_flag]() -> Status {
      std::string flag = config_flag && config_flag->count() > 0 ? config_flag->as<std::string>() : "";
      std::string path = !file->empty() ? *file : !flag.empty() ? flag : "ciiscope.yaml";
      CII_ASSIGN_OR_RETURN(service::Config c, service::LoadConfig(path));
      fmt::print("{}: ok: {} profile(s), {} schedule(s), {} key period(s), {} alert sink(s), "
                 "{} authorization(s), {} exclusion(s)\n",
                 path, c.profiles.size(), c.schedules.size(), c.key_periods.size(), c.sinks.size(),
                 c.authorizations.size(), c.exclusions.size());
      if (!c.database.empty()) fmt::print("database: {}\n", c.database);
      for (const auto& s : c.schedules) {
        fmt::print("schedule {}: profile {}, {} ({})\n", s.name, s.profile, s.cadence.text,
                   s.cadence.tz.name());
      }
      return Ok();
    };
  });
}

}  // namespace ciiscope::app
