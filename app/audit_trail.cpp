#include "app/audit_trail.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <filesystem>

#include "core/log.h"
#include "inventory/store/store.h"
#include "inventory/store/trail.h"
#include "service/trail_policy.h"

namespace ciiscope::app {

namespace {

std::vector<std::string> CommandPath(const CLI::App& cli, bool& report_signed) {
  std::vector<std::string> path;
  const CLI::App* cur = &cli;
  while (true) {
    auto subs = cur->get_subcommands();
    if (subs.empty()) break;
    cur = subs.front();
    path.push_back(cur->get_name());
  }
  const CLI::Option* sign = cur->get_option_no_throw("--sign");
  report_signed = !path.empty() && path.front() == "report" && sign && sign->count() > 0;
  return path;
}

// Commands that give up root while they run: live capture and the syn engine.
bool DropsPrivileges(const CLI::App& cli) {
  const CLI::App* cur = &cli;
  while (!cur->get_subcommands().empty()) cur = cur->get_subcommands().front();
  if (cur->get_name() != "scan") return false;
  const CLI::Option* iface = cur->get_option_no_throw("--interface");
  if (iface && iface->count() > 0) return true;
  const CLI::Option* engine = cur->get_option_no_throw("--engine");
  if (!engine || engine->count() == 0) return false;
  const auto& given = engine->results();
  return std::find(given.begin(), given.end(), "syn") != given.end();
}

}  // namespace

Status RunAudited(const CLI::App& cli, Context& ctx, const std::vector<std::string>& args) {
  bool report_signed = false;
  const std::vector<std::string> path = CommandPath(cli, report_signed);
  auto run = [&ctx]() -> Status {
    try {
      return ctx.action();
    } catch (const std::exception& e) {
      return Error(ErrorCode::kInternal, std::string("unexpected: ") + e.what());
    }
  };
  if (!service::IsStateChanging(path, report_signed)) return run();

  std::error_code ec;
  const bool existed = std::filesystem::exists(ctx.global.db, ec);
  // The trail's connection and anchor are opened before the command runs:
  // commands that drop root privileges (live capture, the syn engine) could
  // not open them afterwards. A database that did not exist is not created
  // here, except for those commands; the command makes it (and a failure
  // before that leaves no trail).
  std::unique_ptr<inventory::Store> early;
  int64_t before = 0;
  if (existed || DropsPrivileges(cli)) {
    if (auto store = OpenStore(ctx); store) {
      early = std::move(*store);
      if (auto last = inventory::LastAuditId(*early); last) before = *last;
      if (auto held = early->HoldTrailAnchor(); !held) {
        spdlog::debug("trail head not held: {}", held.error().message());
      }
    }
  }
  Status status = run();
  // A command that failed before it made the database leaves no trail to append to.
  if (!status && !std::filesystem::exists(ctx.global.db, ec)) return status;

  Status recorded = [&]() -> Status {
    std::unique_ptr<inventory::Store> store = std::move(early);
    if (!store) {
      CII_ASSIGN_OR_RETURN(store, OpenStore(ctx));
    }
    CII_ASSIGN_OR_RETURN(auto since, inventory::AuditSince(*store, before, 1000));
    const std::string actor = Actor(ctx);
    for (const auto& row : since) {
      if (row.actor == actor &&
          (row.command == path.front() || row.command.starts_with(path.front() + " "))) {
        return Ok();  // the command recorded itself
      }
    }
    return store->AppendAudit(
        actor, service::JoinCommand(path), service::ArgsDigest(args),
        service::Outcome(static_cast<bool>(status), ctx.exit_code,
                         status ? std::string_view() : status.error().message()));
  }();
  if (!recorded) {
    if (status) {
      return Error(recorded.error().code(),
                   "the command ran but its audit row was not written: " +
                       recorded.error().message());
    }
    // The command's own error is the one line the user sees; usually the
    // same cause (e.g. an unreadable database) also kept the row out.
    spdlog::info("audit row not written: {}", recorded.error().message());
  }
  return status;
}

}  // namespace ciiscope::app
