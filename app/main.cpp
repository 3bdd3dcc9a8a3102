// ciiscope command line: parses, runs the chosen command, and is the only
// place that turns an Error into an exit code and one line on stderr.

#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "app/audit_trail.h"
#include "app/context.h"
#include "app/service_commands.h"
#include "app/workspace_config.h"
#include "core/log.h"
#include "core/text.h"

namespace {

std::atomic<bool> g_stop{false};  // the one global: a signal handler may touch only this
static_assert(std::atomic<bool>::is_always_lock_free);

void OnSignal(int) {
  if (g_stop.exchange(true)) {
    // Second signal: the user insists; restore the default and re-raise.
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
  }
}

void InstallSignalHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

// nmap spells the target-list flag -iL; CLI11 short flags are one letter.
std::vector<std::string> NormalizeArgs(int argc, char** argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-iL") a = "--input-list";
    if (a == "-Pn") a = "--no-ping";
    args.push_back(a);
  }
  return args;
}

std::string ExePath(const char* argv0) {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(argv0) : p.string();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ciiscope;
  app::Context ctx;
  ctx.exe_path = ExePath(argv[0]);
  ctx.stop = &g_stop;

  CLI::App cli{"ciiscope — find, identify and audit the critical information infrastructure of an education network"};
  cli.name("ciiscope");
  cli.require_subcommand(1);
  cli.fallthrough();
  cli.add_option("--db", ctx.global.db, "Inventory database (SQLite)")->capture_default_str();
  std::string config_flag;
  cli.add_option("--config", config_flag,
                 "Workspace configuration (default: ./ciiscope.yaml when present)");
  cli.add_option("--log-level", ctx.global.log_level, "trace|debug|info|warn|error|off")
      ->capture_default_str();
  cli.add_option("--log-file", ctx.global.log_file, "Also write logs to FILE");
  cli.add_option("--lang", ctx.global.lang, "Report and message language: zh or en")
      ->check(CLI::IsMember({"zh", "en", "zh-CN"}));
  cli.add_option("--rules", ctx.global.rules_dir, "Rule pack directory (default: shipped packs)");
  cli.add_option("--actor", ctx.global.actor, "Who is acting, for the audit trail (default: OS user)");
  cli.add_flag("--strict", ctx.global.strict_rules, "A rule that fails to load stops the run (default: skip it)");
  cli.set_version_flag("--version", "ciiscope 0.1.0");

  app::AddInitCommand(cli, ctx);
  app::AddScanCommand(cli, ctx);
  app::AddAssessCommand(cli, ctx);
  app::AddReportCommand(cli, ctx);
  app::AddAuditCommand(cli, ctx);
  app::AddRulesCommand(cli, ctx);
  app::AddDemoCommand(cli, ctx);
  app::AddListCommands(cli, ctx);
  app::AddFindingsCommand(cli, ctx);
  app::AddUnitsCommand(cli, ctx);
  app::AddVerifyCommand(cli, ctx);
  app::AddKeygenCommand(cli, ctx);
  app::AddAuthCommand(cli, ctx);
  app::AddImportCommand(cli, ctx);
  app::AddTrailCommand(cli, ctx);
  app::AddConfigCommand(cli, ctx);
  app::AddDaemonCommand(cli, ctx);
  app::AddDrillCommand(cli, ctx);
  app::AddKeyPeriodCommand(cli, ctx);
  app::AddLookbackCommand(cli, ctx);
  app::AddSpotcheckCommand(cli, ctx);

  const auto given = NormalizeArgs(argc, argv);
  auto args = given;
  std::reverse(args.begin(), args.end());  // CLI11 takes a reversed vector
  try {
    cli.parse(args);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return cli.exit(e);  // --help, --version
    std::fprintf(stderr, "ciiscope: %s (see --help)\n",
                 core::Printable(core::SanitizeUtf8(e.what())).c_str());
    return app::kExitUsage;
  }
  if (ctx.global.lang == "zh-CN") ctx.global.lang = "zh";
  if (auto st = core::InitLogging(ctx.global.log_level, ctx.global.log_file); !st) {
    std::fprintf(stderr, "ciiscope: %s\n", st.error().message().c_str());
    return app::kExitUsage;
  }
  InstallSignalHandlers();
  if (!ctx.action) return app::kExitUsage;
  if (auto st = app::ApplyWorkspaceConfig(cli, ctx, config_flag); !st) {
    std::fprintf(stderr, "ciiscope: %s\n",
                 core::Printable(core::SanitizeUtf8(st.error().message())).c_str());
    return app::kExitUsage;
  }

  // Runs the command; state-changing ones leave one row in the audit trail.
  Status status = app::RunAudited(cli, ctx, given);
  if (!status) {
    const Error& err = status.error();
    std::fprintf(stderr, "ciiscope: %s\n",
                 core::Printable(core::SanitizeUtf8(err.message())).c_str());
    return err.code() == ErrorCode::kInvalidArgument ? app::kExitUsage : app::kExitRuntime;
  }
  return ctx.exit_code;
}
