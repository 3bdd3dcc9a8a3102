// `ciiscope daemon` and `ciiscope jobs list` (docs/daemon.md).
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/daemon.h"
#include "app/service_commands.h"
#include "core/clock.h"
#include "core/text.h"
#include "inventory/store/store.h"

namespace ciiscope::app {

namespace {

std::string Time(int64_t ms) { return ms > 0 ? core::FormatIsoTime(ms) : "-"; }

}  // namespace

void AddDaemonCommand(CLI::App& app, Context& ctx) {
  struct Opts {
    std::string run_for;
    std::string log;
    bool syslog = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand(
      "daemon", "Run the configuration's schedules unattended: scan, assess, alert, report (docs/daemon.md)");
  cmd->add_option("--for", o->run_for, "Stop after this long (30s, 15m, 2h, 1d); default: until SIGTERM");
  cmd->add_option("--log", o->log, "Log to FILE, reopened on SIGHUP (default: daemon.log of the configuration, else stderr)");
  cmd->add_flag("--syslog", o->syslog, "Log to syslog (LOG_DAEMON) instead");
  cmd->callback([&ctx, &app, o] {
    ctx.action = [&ctx, &app, o]() -> Status {
      DaemonOptions options;
      if (!o->run_for.empty()) {
        CII_ASSIGN_OR_RETURN(options.run_for_ms, ParseDuration(o->run_for));
      }
      if (!o->log.empty() && o->syslog) {
        return Error(ErrorCode::kInvalidArgument, "--log and --syslog exclude each other");
      }
      options.log_file = o->log;
      options.syslog = o->syslog;
      const CLI::Option* level = app.get_option_no_throw("--log-level");
      if (level != nullptr && level->count() > 0) options.log_level = ctx.global.log_level;
      return RunDaemon(ctx, options);
    };
  });

  struct ListOpts {
    bool json = false;
    int limit = 50;
  };
  auto l = std::make_shared<ListOpts>();
  auto* jobs = app.add_subcommand("jobs", "The daemon's job history");
  jobs->require_subcommand(1);
  auto* list = jobs->add_subcommand("list", "List jobs, newest first");
  list->add_flag("--json", l->json, "JSON output");
  list->add_option("--limit", l->limit, "At most this many")->check(CLI::Range(1, 100000))->capture_default_str();
  list->callback([&ctx, l] {
    ctx.action = [&ctx, l]() -> Status {
      CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
      CII_ASSIGN_OR_RETURN(auto rows, store->ListJobs(l->limit));
      if (l->json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& j : rows) {
          arr.push_back({{"id", j.id},
                         {"schedule", j.schedule},
                         {"profile", j.profile},
                         {"scope", j.scope},
                         {"key_period", j.key_period},
                         {"scheduled_for", Time(j.scheduled_for)},
                         {"catch_up", j.catch_up},
                         {"missed", j.missed},
                         {"started", Time(j.started_at)},
                         {"ended", Time(j.ended_at)},
                         {"outcome", j.outcome},
                         {"scan_id", j.scan_id},
                         {"findings_new", j.findings_new},
                         {"alerts_sent", j.alerts_sent},
                         {"error", j.error}});
        }
        fmt::print("{}\n", arr.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
        return Ok();
      }
      fmt::print("{:>5}  {:<16}  {:<14}  {:<20}  {:>7}  {:<11}  {:>5}  {:>4}  {:>6}  {}\n", "ID", "SCHEDULE",
                 "PROFILE", "SCHEDULED", "SECONDS", "OUTCOME", "SCAN", "NEW", "ALERTS", "ERROR");
      for (const auto& j : rows) {
        const double secs = j.ended_at > 0 ? static_cast<double>(j.ended_at - j.started_at) / 1000.0 : 0;
        fmt::print("{:>5}  {:<16}  {:<14}  {:<20}  {:>7.1f}  {:<11}  {:>5}  {:>4}  {:>6}  {}\n", j.id,
                   core::TruncateUtf8(core::Printable(j.schedule), 16),
                   core::TruncateUtf8(core::Printable(j.profile), 14),
                   Time(j.scheduled_for) + (j.catch_up ? "*" : ""), secs, j.outcome,
                   j.scan_id > 0 ? std::to_string(j.scan_id) : "-", j.findings_new, j.alerts_sent,
                   core::TruncateUtf8(core::Printable(j.error), 100));
      }
      fmt::print("{} job(s){}\n", rows.size(), rows.empty() ? "" : " (* = catch-up after downtime)");
      return Ok();
    };
  });
}

}  // namespace ciiscope::app
