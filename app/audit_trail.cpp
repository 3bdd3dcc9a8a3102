#include "app/audit_trail.h"

#include <CLI/CLI.hpp>

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
  int64_t before = 0;
  if (std::filesystem::exists(ctx.global.db, ec)) {
    auto store = OpenStore(ctx);
    if (store) {
      if (auto last = inventory::LastAuditId(**store); last) before = *last;
    }
  }
  Status status = run();
  // A command that failed before it made the database leaves no trail to append to.
  if (!status && !std::filesystem::exists(ctx.global.db, ec)) return status;

  Status recorded = [&]() -> Status {
    CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
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
