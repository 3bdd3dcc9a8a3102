#include "app/workspace_config.h"

#include <CLI/CLI.hpp>

#include <filesystem>

#include "service/config.h"

namespace ciiscope::app {

namespace {

bool Given(const CLI::App& cli, const std::string& flag) {
  const CLI::Option* opt = cli.get_option_no_throw(flag);
  return opt != nullptr && opt->count() > 0;
}

}  // namespace

Status ApplyWorkspaceConfig(const CLI::App& cli, Context& ctx, const std::string& config_flag) {
  auto subs = cli.get_subcommands();
  if (!subs.empty() && subs.front()->get_name() == "config") return Ok();
  std::string path = config_flag;
  std::error_code ec;
  if (path.empty()) {
    if (!std::filesystem::exists("ciiscope.yaml", ec)) return Ok();
    path = "ciiscope.yaml";
  }
  CII_ASSIGN_OR_RETURN(service::Config config, service::LoadConfig(path));
  ctx.global.config_path = path;
  if (!Given(cli, "--db") && !config.database.empty()) ctx.global.db = config.database;
  if (!Given(cli, "--lang") && !config.lang.empty()) ctx.global.lang = config.lang;
  if (!Given(cli, "--rules") && !config.rules.empty()) ctx.global.rules_dir = config.rules;
  ctx.config = std::make_shared<const service::Config>(std::move(config));
  return Ok();
}

}  // namespace ciiscope::app
