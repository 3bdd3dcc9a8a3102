// `ciiscope keyperiod status [NAME] [--json] | baseline NAME` (重保期) and
// `ciiscope lookback list [--json]` (回头看); docs/keyperiod.md.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "app/service_commands.h"
#include "core/clock.h"
#include "core/hash.h"
#include "core/text.h"
#include "inventory/store/store.h"
#include "service/config.h"
#include "service/keyperiod.h"
#include "service/lookback.h"

namespace ciiscope::app {
namespace {

using nlohmann::json;

std::string Clean(std::string_view s) { return core::Printable(core::SanitizeUtf8(s)); }
std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}
std::string Iso(int64_t ms) { return ms == 0 ? std::string("-") : core::FormatIsoTime(ms); }

Result<const service::Config*> NeedKeyPeriods(const Context& ctx) {
  if (!ctx.config || ctx.config->key_periods.empty()) {
    return Error(ErrorCode::kNotFound,
                 "no key periods: ciiscope.yaml (or --config FILE) defines none under key_periods");
  }
  return ctx.config.get();
}

Result<const service::KeyPeriod*> Named(const service::Config& config, const std::string& name) {
  if (const auto* p = service::FindPeriod(config, name)) return p;
  std::string known;
  for (const auto& p : config.key_periods) known += (known.empty() ? "" : ", ") + p.name;
  return Error(ErrorCode::kNotFound,
               "no key period '" + Clean(name) + "' in " + config.path + " (defined: " + known + ")");
}

std::string StateOf(const service::KeyPeriod& p, int64_t now) {
  if (now < service::PeriodFromMs(p)) return "upcoming";
  return service::ActiveAt(p, now) ? "active" : "over";
}

json ItemJson(const inventory::ExposureItem& it) {
  json j = {{"kind", it.kind}, {"key", core::SanitizeUtf8(it.key)}, {"label", core::SanitizeUtf8(it.label)}};
  if (!it.severity.empty()) j["severity"] = it.severity;
  if (!it.rule.empty()) j["rule"] = core::SanitizeUtf8(it.rule);
  return j;
}

json ItemsJson(const std::vector<inventory::ExposureItem>& items) {
  json arr = json::array();
  for (const auto& it : items) arr.push_back(ItemJson(it));
  return arr;
}

void PrintItems(const char* mark, const std::vector<inventory::ExposureItem>& items) {
  for (const auto& it : items) {
    std::string sev = it.severity.empty() ? "" : "[" + it.severity + "] ";
    fmt::print("    {} {} {}{}\n", mark, it.kind, sev, Clean(it.label));
  }
}

// One period's status: window, baseline and delta.
Result<json> PeriodStatus(inventory::Store& store, const service::Config& config,
                          const service::KeyPeriod& p, int64_t now, bool print) {
  json j = {{"name", core::SanitizeUtf8(p.name)},
            {"from", core::FormatIsoTime(service::PeriodFromMs(p))},
            {"to", core::FormatIsoTime(service::PeriodToMs(p))},
            {"timezone", p.tz.name()},
            {"state", StateOf(p, now)},
            {"alert_threshold", p.alert_threshold},
            {"scope_profiles", p.scope}};
  if (p.sla) j["sla"] = *p.sla;
  if (print) {
    fmt::print("key period {}: {} .. {} ({}), alert threshold {}, scope {}\n", Clean(p.name),
               Iso(service::PeriodFromMs(p)), Iso(service::PeriodToMs(p)), StateOf(p, now),
               p.alert_threshold, p.scope.empty() ? std::string("everything") : Clean(Joined(p.scope)));
  }
  CII_ASSIGN_OR_RETURN(auto baseline, store.LatestKeyPeriodBaseline(p.name, service::PeriodFromMs(p)));
  if (!baseline) {
    j["baseline"] = nullptr;
    if (print) {
      fmt::print("  no baseline yet: taken by the first command inside the window, or `ciiscope "
                 "keyperiod baseline NAME`\n");
    }
    return j;
  }
  CII_ASSIGN_OR_RETURN(auto items, store.KeyPeriodItems(baseline->id));
  size_t counts[3] = {0, 0, 0};
  for (const auto& it : items) counts[it.kind == "service" ? 0 : it.kind == "finding" ? 1 : 2]++;
  j["baseline"] = {{"id", baseline->id},
                   {"taken_at", core::FormatIsoTime(baseline->taken_at)},
                   {"actor", core::SanitizeUtf8(baseline->actor)},
                   {"trigger", baseline->trigger},
                   {"scope", baseline->scope},
                   {"open_services", counts[0]},
                   {"findings", counts[1]},
                   {"shadow_assets", counts[2]}};
  CII_ASSIGN_OR_RETURN(auto d, service::ComputeDelta(store, config, p, *baseline));
  j["new_services"] = ItemsJson(d.new_services);
  j["new_findings"] = ItemsJson(d.new_findings);
  j["new_shadow_assets"] = ItemsJson(d.new_shadow);
  j["closed"] = ItemsJson(d.closed);
  if (print) {
    fmt::print("  baseline {} taken {} by {} ({}): {} open service(s), {} finding(s), {} shadow "
               "asset(s)\n",
               baseline->id, Iso(baseline->taken_at), Clean(baseline->actor), baseline->trigger,
               counts[0], counts[1], counts[2]);
    fmt::print("  since the baseline: {} new open service(s), {} new finding(s) at or above {}, "
               "{} new shadow asset(s), {} closed\n",
               d.new_services.size(), d.new_findings.size(), p.alert_threshold, d.new_shadow.size(),
               d.closed.size());
    PrintItems("+", d.new_services);
    PrintItems("+", d.new_findings);
    PrintItems("+", d.new_shadow);
    PrintItems("-", d.closed);
  }
  return j;
}

}  // namespace

void AddKeyPeriodCommand(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("keyperiod", "Key periods (重保期): baseline and delta since it");
  cmd->require_subcommand(1);

  struct StatusOpts {
    std::string name;
    bool json = false;
  };
  auto so = std::make_shared<StatusOpts>();
  auto* status = cmd->add_subcommand("status", "Window, baseline and what changed since it");
  status->add_option("NAME", so->name, "Key period name (default: every one in ciiscope.yaml)");
  status->add_flag("--json", so->json, "Print as JSON");
  status->callback([&ctx, so] {
    ctx.action = [&ctx, so]() -> Status {
      CII_ASSIGN_OR_RETURN(const service::Config* config, NeedKeyPeriods(ctx));
      std::vector<const service::KeyPeriod*> periods;
      if (!so->name.empty()) {
        CII_ASSIGN_OR_RETURN(const service::KeyPeriod* p, Named(*config, so->name));
        periods.push_back(p);
      } else {
        for (const auto& p : config->key_periods) periods.push_back(&p);
      }
      CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
      const int64_t now = core::NowMillis();
      json out = json::array();
      for (const auto* p : periods) {
        CII_ASSIGN_OR_RETURN(json j, PeriodStatus(*store, *config, *p, now, !so->json));
        out.push_back(std::move(j));
      }
      if (so->json) {
        fmt::print("{}\n", (so->name.empty() ? out : out.front())
                               .dump(2, ' ', false, json::error_handler_t::replace));
      }
      return Ok();
    };
  });

  auto name = std::make_shared<std::string>();
  auto* baseline = cmd->add_subcommand("baseline", "Take a baseline of exposure now (manual start)");
  baseline->add_option("NAME", *name, "Key period name")->required();
  baseline->callback([&ctx, name] {
    ctx.action = [&ctx, name]() -> Status {
      CII_ASSIGN_OR_RETURN(const service::Config* config, NeedKeyPeriods(ctx));
      CII_ASSIGN_OR_RETURN(const service::KeyPeriod* p, Named(*config, *name));
      CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
      const std::string actor = Actor(ctx);
      inventory::KeyPeriodBaseline b;
      CII_RETURN_IF_ERROR(store->Transaction([&]() -> Status {
        CII_ASSIGN_OR_RETURN(b, service::TakeBaseline(*store, *config, *p, core::NowMillis(), actor,
                                                      "manual"));
        json args = {{"name", p->name}};
        return store->AppendAudit(actor, "keyperiod baseline",
                                  core::Sha256Hex(args.dump(-1, ' ', false, json::error_handler_t::replace)),
                                  "ok: baseline " + std::to_string(b.id) + " of key period " + p->name);
      }));
      CII_ASSIGN_OR_RETURN(auto items, store->KeyPeriodItems(b.id));
      fmt::print("baseline {} of key period {} taken: {} item(s) exposed within its scope\n", b.id,
                 Clean(p->name), items.size());
      return Ok();
    };
  });
}

void AddLookbackCommand(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("lookback", "The look-back list (回头看): units to check again");
  cmd->require_subcommand(1);
  struct Opts {
    bool json = false;
    int days = service::kLookbackDays;
  };
  auto o = std::make_shared<Opts>();
  auto* list = cmd->add_subcommand("list", "Units with findings reopened lately or overdue now");
  list->add_flag("--json", o->json, "Print as JSON");
  list->add_option("--days", o->days, "Look-back window for reopened findings, in days")
      ->capture_default_str()
      ->check(CLI::Range(1, 3660));
  list->callback([&ctx, o] {
    ctx.action = [&ctx, o]() -> Status {
      CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
      CII_ASSIGN_OR_RETURN(auto rows, service::RefreshLookback(*store, core::NowMillis(), o->days));
      if (o->json) {
        json arr = json::array();
        for (const auto& u : rows) {
          arr.push_back({{"unit", core::SanitizeUtf8(u.code)},
                         {"name", core::SanitizeUtf8(u.name)},
                         {"owner", core::SanitizeUtf8(u.owner)},
                         {"reopened", u.reopened},
                         {"overdue", u.overdue},
                         {"last_reopen", u.last_reopen ? json(core::FormatIsoTime(u.last_reopen)) : json(nullptr)},
                         {"since", core::FormatIsoTime(u.since)}});
        }
        fmt::print("{}\n", arr.dump(2, ' ', false, json::error_handler_t::replace));
        return Ok();
      }
      for (const auto& u : rows) {
        fmt::print("{:<16}  {:<30}  {:<12}  reopened {:>3}  overdue {:>3}  last reopen {}\n",
                   core::TruncateUtf8(Clean(u.code), 16), core::TruncateUtf8(Clean(u.name), 30),
                   core::TruncateUtf8(Clean(u.owner), 12), u.reopened, u.overdue, Iso(u.last_reopen));
      }
      fmt::print("{} unit(s) on the look-back list (reopened in the last {} day(s) or overdue now)\n",
                 rows.size(), o->days);
      return Ok();
    };
  });
}

}  // namespace ciiscope::app
