#pragma once
// What every command gets: the global options and the process-wide stop
// flag. Commands register themselves with Add*Command() and leave the work
// in `action`, which main() runs after parsing and turns into an exit code.

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"

namespace CLI {
class App;
}

namespace ciiscope::inventory {
class Store;
}
namespace ciiscope::service {
struct Config;
}

namespace ciiscope::app {

// Exit codes (DESIGN.md "Command line").
inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;  // --fail-on threshold reached
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRuntime = 3;

struct GlobalOptions {
  std::string db = "ciiscope.db";
  std::string log_level = "warn";
  std::string log_file;
  std::string lang;       // zh | en; empty = from the environment (LANG)
  std::string rules_dir;  // empty = default rule packs
  std::string actor;      // empty = OS user
  bool strict_rules = false;  // --strict: a rule that fails to load is fatal
  std::string config_path;    // the workspace configuration read (set by ApplyWorkspaceConfig)
};

struct Context {
  GlobalOptions global;
  std::string exe_path;                 // /proc/self/exe, for `demo up`
  const std::atomic<bool>* stop = nullptr;  // set by SIGINT/SIGTERM
  std::function<Status()> action;       // the chosen command
  int exit_code = kExitOk;              // a command may raise it (e.g. --fail-on)
  // ciiscope.yaml when one was read (app/workspace_config.h); null = none.
  std::shared_ptr<const service::Config> config;
};

// Opens (creating if needed) the inventory named by --db.
Result<std::unique_ptr<inventory::Store>> OpenStore(const Context& ctx);
// --rules, else $CIISCOPE_RULES, else <exe>/../share/ciiscope/rules, else the
// source tree's rules/ (a build that was not installed).
std::string RulesDir(const Context& ctx);
std::string Actor(const Context& ctx);
std::string Lang(const Context& ctx);  // "zh" or "en"

void AddInitCommand(CLI::App& app, Context& ctx);
void AddScanCommand(CLI::App& app, Context& ctx);
void AddAssessCommand(CLI::App& app, Context& ctx);
void AddReportCommand(CLI::App& app, Context& ctx);
void AddAuditCommand(CLI::App& app, Context& ctx);
void AddRulesCommand(CLI::App& app, Context& ctx);
void AddDemoCommand(CLI::App& app, Context& ctx);
void AddListCommands(CLI::App& app, Context& ctx);
void AddFindingsCommand(CLI::App& app, Context& ctx);
void AddUnitsCommand(CLI::App& app, Context& ctx);
void AddVerifyCommand(CLI::App& app, Context& ctx);
void AddKeygenCommand(CLI::App& app, Context& ctx);
void AddAuthCommand(CLI::App& app, Context& ctx);
void AddImportCommand(CLI::App& app, Context& ctx);
void AddDrillCommand(CLI::App& app, Context& ctx);

}  // namespace ciiscope::app
