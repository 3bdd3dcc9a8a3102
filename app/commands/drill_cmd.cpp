// `ciiscope drill start|stop|status|list`: key periods (重保期) and attack-
// defence exercises (攻防演练). A drill has a name, kind, announced window
// and scope; scans, findings and monitor events inside its window belong to
// it (reports: `report --kind drill`). start and stop change state: each
// writes a drill event and an audit entry.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "app/context.h"
#include "core/clock.h"
#include "core/hash.h"
#include "core/text.h"
#include "inventory/store/store.h"

namespace ciiscope::app {
namespace {

using nlohmann::json;

std::string Clean(std::string_view s) { return core::Printable(core::SanitizeUtf8(s)); }
std::string Iso(int64_t ms) { return ms == 0 ? std::string("-") : core::FormatIsoTime(ms); }

std::string Digest(const json& args) {
  return core::Sha256Hex(args.dump(-1, ' ', false, json::error_handler_t::replace));
}

Result<int64_t> ParseWhen(const std::string& flag, const std::string& text, bool end_of_day) {
  if (text.empty()) return int64_t{0};
  auto ms = core::ParseIsoTime(text, end_of_day);
  if (!ms) {
    return Error(ErrorCode::kInvalidArgument,
                 flag + " '" + Clean(core::TruncateUtf8(text, 40)) +
                     "': expected a date YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] (UTC)");
  }
  return *ms;
}

json DrillJson(const inventory::Drill& d) {
  return {{"id", d.id},
          {"name", core::SanitizeUtf8(d.name)},
          {"kind", d.kind},
          {"status", d.status},
          {"started_at", Iso(d.started_at)},
          {"ended_at", d.ended_at ? json(core::FormatIsoTime(d.ended_at)) : json(nullptr)},
          {"planned_from", d.planned_from ? json(core::FormatIsoTime(d.planned_from)) : json(nullptr)},
          {"planned_until",
           d.planned_until ? json(core::FormatIsoTime(d.planned_until)) : json(nullptr)},
          {"scope", d.scope},
          {"created_by", core::SanitizeUtf8(d.created_by)}};
}

// The drill named by id (0 = the running one, else the latest).
Result<inventory::Drill> Pick(inventory::Store& store, int64_t id) {
  if (id != 0) {
    CII_ASSIGN_OR_RETURN(auto d, store.GetDrill(id));
    if (!d) return Error(ErrorCode::kNotFound, "no drill " + std::to_string(id));
    return *d;
  }
  CII_ASSIGN_OR_RETURN(auto running, store.RunningDrill());
  if (running) return *running;
  CII_ASSIGN_OR_RETURN(auto all, store.ListDrills());
  if (all.empty()) {
    return Error(ErrorCode::kNotFound, "no drill yet; start one with `ciiscope drill start --name NAME`");
  }
  return all.back();
}

struct StartOpts {
  std::string name, kind = "exercise", from, until, notes;
  std::vector<std::string> scope;
};

Status Start(Context& ctx, const StartOpts& o) {
  if (core::TrimSpace(o.name).empty() || o.name.size() > 200) {
    return Error(ErrorCode::kInvalidArgument, "--name: expected a name of 1 to 200 bytes");
  }
  inventory::Drill d;
  d.name = o.name;
  d.kind = o.kind;
  d.scope = o.scope;
  d.notes = o.notes;
  d.status = "running";
  d.started_at = core::NowMillis();
  d.created_by = Actor(ctx);
  CII_ASSIGN_OR_RETURN(d.planned_from, ParseWhen("--from", o.from, false));
  CII_ASSIGN_OR_RETURN(d.planned_until, ParseWhen("--until", o.until, true));
  if (d.planned_from != 0 && d.planned_until != 0 && d.planned_until < d.planned_from) {
    return Error(ErrorCode::kInvalidArgument, "--until " + o.until + " is before --from " + o.from);
  }
  CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
  int64_t id = 0;
  CII_RETURN_IF_ERROR(store->Transaction([&]() -> Status {
    CII_ASSIGN_OR_RETURN(auto running, store->RunningDrill());
    if (running) {
      return Error(ErrorCode::kInvalidArgument,
                   "drill " + std::to_string(running->id) + " (" + Clean(running->name) +
                       ") is still running; stop it first with `ciiscope drill stop`");
    }
    CII_ASSIGN_OR_RETURN(id, store->CreateDrill(d));
    json args = {{"name", o.name}, {"kind", o.kind}, {"scope", o.scope}, {"from", o.from},
                 {"until", o.until}};
    return store->AppendAudit(d.created_by, "drill start", Digest(args),
                              "ok: drill " + std::to_string(id) + " started");
  }));
  fmt::print("drill {} started: {} ({}) at {}\n", id, Clean(o.name), o.kind, Iso(d.started_at));
  return Ok();
}

Status Stop(Context& ctx, int64_t id_arg) {
  CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
  const int64_t now = core::NowMillis();
  inventory::Drill drill;
  CII_RETURN_IF_ERROR(store->Transaction([&]() -> Status {
    if (id_arg == 0) {
      CII_ASSIGN_OR_RETURN(auto running, store->RunningDrill());
      if (!running) return Error(ErrorCode::kNotFound, "no drill is running");
      drill = *running;
    } else {
      CII_ASSIGN_OR_RETURN(drill, Pick(*store, id_arg));
    }
    if (drill.status != "running") {
      return Error(ErrorCode::kInvalidArgument,
                   "drill " + std::to_string(drill.id) + " is " + drill.status + ", not running");
    }
    CII_RETURN_IF_ERROR(store->StopDrill(drill.id, now, Actor(ctx)));
    return store->AppendAudit(Actor(ctx), "drill stop", Digest({{"id", drill.id}}),
                              "ok: drill " + std::to_string(drill.id) + " stopped");
  }));
  fmt::print("drill {} stopped: {} ({} — {})\n", drill.id, Clean(drill.name),
             Iso(drill.started_at), Iso(now));
  return Ok();
}

Status ShowStatus(Context& ctx, int64_t id, bool as_json) {
  CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
  CII_ASSIGN_OR_RETURN(inventory::Drill d, Pick(*store, id));
  inventory::DrillWindow window{d.started_at, d.ended_at != 0 ? d.ended_at : core::NowMillis()};
  CII_ASSIGN_OR_RETURN(auto scans, store->ScansInWindow(d.id, window));
  int64_t opened = 0, closed = 0, monitor = 0, events = 0;
  CII_RETURN_IF_ERROR(store->ForEachFindingOpenedIn(window, [&](const auto&) {
    ++opened;
    return Ok();
  }));
  CII_RETURN_IF_ERROR(store->ForEachFindingClosedIn(window, [&](const auto&) {
    ++closed;
    return Ok();
  }));
  CII_RETURN_IF_ERROR(store->ForEachMonitorEvent(d.id, window, [&](const auto&) {
    ++monitor;
    return Ok();
  }));
  CII_RETURN_IF_ERROR(store->ForEachDrillEvent(d.id, [&](const auto&) {
    ++events;
    return Ok();
  }));
  if (as_json) {
    json j = DrillJson(d);
    j["window"] = {{"from", Iso(window.from)}, {"until", Iso(window.until)}};
    j["scans"] = scans.size();
    j["findings_opened"] = opened;
    j["findings_closed"] = closed;
    j["monitor_events"] = monitor;
    j["drill_events"] = events;
    fmt::print("{}\n", j.dump(2, ' ', false, json::error_handler_t::replace));
    return Ok();
  }
  fmt::print("drill {}: {} ({}, {})\n", d.id, Clean(d.name), d.kind, d.status);
  fmt::print("  window: {} — {}{}\n", Iso(window.from), Iso(window.until),
             d.ended_at == 0 ? " (now)" : "");
  if (d.planned_from || d.planned_until) {
    fmt::print("  planned: {} — {}\n", Iso(d.planned_from), Iso(d.planned_until));
  }
  if (!d.scope.empty()) {
    std::string scope;
    for (const auto& s : d.scope) scope += (scope.empty() ? "" : " ") + Clean(s);
    fmt::print("  scope: {}\n", scope);
  }
  fmt::print("  scans: {}, findings opened: {}, closed: {}, monitor events: {}\n", scans.size(),
             opened, closed, monitor);
  return Ok();
}

Status List(Context& ctx, bool as_json) {
  CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
  CII_ASSIGN_OR_RETURN(auto drills, store->ListDrills());
  if (as_json) {
    json out = json::array();
    for (const auto& d : drills) out.push_back(DrillJson(d));
    fmt::print("{}\n", out.dump(2, ' ', false, json::error_handler_t::replace));
    return Ok();
  }
  if (drills.empty()) {
    fmt::print("no drills\n");
    return Ok();
  }
  fmt::print("{:>4}  {:<10}  {:<10}  {:<20}  {:<20}  {}\n", "ID", "KIND", "STATUS", "STARTED",
             "ENDED", "NAME");
  for (const auto& d : drills) {
    fmt::print("{:>4}  {:<10}  {:<10}  {:<20}  {:<20}  {}\n", d.id, d.kind, d.status,
               Iso(d.started_at), Iso(d.ended_at), Clean(core::TruncateUtf8(d.name, 60)));
  }
  return Ok();
}

}  // namespace

void AddDrillCommand(CLI::App& app, Context& ctx) {
  auto* drill = app.add_subcommand("drill", "Key periods and attack-defence exercises");
  drill->require_subcommand(1);

  auto start = std::make_shared<StartOpts>();
  auto* s = drill->add_subcommand("start", "Start a drill now (one may run at a time)");
  s->add_option("--name", start->name, "Name of the drill")->required();
  s->add_option("--kind", start->kind, "key-period (重保期) or exercise (攻防演练)")
      ->check(CLI::IsMember({"key-period", "exercise"}))
      ->capture_default_str();
  s->add_option("--scope", start->scope, "Target specs or unit codes it covers")->delimiter(',');
  s->add_option("--from", start->from, "Announced start (YYYY-MM-DD[THH:MM], UTC)");
  s->add_option("--until", start->until, "Announced end (YYYY-MM-DD[THH:MM], UTC)");
  s->add_option("--notes", start->notes, "Free text");
  s->callback([&ctx, start] { ctx.action = [&ctx, start] { return Start(ctx, *start); }; });

  auto stop_id = std::make_shared<int64_t>(0);
  auto* st = drill->add_subcommand("stop", "Stop the running drill (or drill ID)");
  st->add_option("ID", *stop_id, "Drill id (default: the running one)");
  st->callback([&ctx, stop_id] { ctx.action = [&ctx, stop_id] { return Stop(ctx, *stop_id); }; });

  auto status_id = std::make_shared<int64_t>(0);
  auto status_json = std::make_shared<bool>(false);
  auto* stat = drill->add_subcommand("status", "The running (or latest, or given) drill");
  stat->add_option("ID", *status_id, "Drill id");
  stat->add_flag("--json", *status_json, "JSON output");
  stat->callback([&ctx, status_id, status_json] {
    ctx.action = [&ctx, status_id, status_json] {
      return ShowStatus(ctx, *status_id, *status_json);
    };
  });

  auto list_json = std::make_shared<bool>(false);
  auto* list = drill->add_subcommand("list", "All drills");
  list->add_flag("--json", *list_json, "JSON output");
  list->callback([&ctx, list_json] { ctx.action = [&ctx, list_json] { return List(ctx, *list_json); }; });
}

}  // namespace ciiscope::app
