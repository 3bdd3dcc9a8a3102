// `ciiscope spotcheck [--count N] [--seed S] [--profile P] [--dry-run]`
// (飞行检查, docs/spotcheck.md): picks units at random, weighted toward the
// look-back list, and audits their registered ranges now through the normal
// scan path (authorization gate included), then assess and report. The pick,
// the seed and the scan are kept in `spotchecks` and in the audit trail.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "app/pipeline.h"
#include "app/service_commands.h"
#include "core/clock.h"
#include "core/hash.h"
#include "core/text.h"
#include "inventory/store/store.h"
#include "service/config.h"
#include "service/lookback.h"
#include "service/spotcheck.h"

namespace ciiscope::app {
namespace {

using nlohmann::json;

struct SpotOpts {
  int count = 3;
  std::string seed;
  std::string profile;
  bool dry_run = false;
  double lookback_weight = service::kDefaultLookbackWeight;
  std::string formats = "html";
  std::string out = "ciiscope-report";
};

std::string Clean(std::string_view s) { return core::Printable(core::SanitizeUtf8(s)); }

Result<uint64_t> SeedOf(const std::string& text) {
  if (text.empty()) return (uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
  uint64_t seed = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seed);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Error(ErrorCode::kInvalidArgument,
                 "bad --seed '" + Clean(core::TruncateUtf8(text, 40)) +
                     "' (expected a number 0..18446744073709551615)");
  }
  return seed;
}

// The scan request of the profile (ports, engine, rate, concurrency), or
// the defaults; targets are the picked units' ranges.
Result<ScanRequest> RequestFor(const Context& ctx, const std::string& profile) {
  ScanRequest r;
  r.profile = "spotcheck";
  if (profile.empty()) return r;
  if (!ctx.config || !ctx.config->profiles.count(profile)) {
    return Error(ErrorCode::kNotFound, "--profile " + Clean(profile) +
                                           ": no such profile in ciiscope.yaml (or --config FILE)");
  }
  const service::Profile& p = ctx.config->profiles.at(profile);
  r.profile = "spotcheck:" + p.name;
  r.ports = p.ports;
  r.engine = p.engine;
  if (p.rate > 0) r.rate = p.rate;
  if (p.concurrency > 0) r.concurrency = p.concurrency;
  return r;
}

Status Record(inventory::Store& store, inventory::SpotCheck& check,
              const std::string& outcome) {
  return store.Transaction([&]() -> Status {
    CII_ASSIGN_OR_RETURN(check.id, store.AddSpotCheck(check));
    json args = {{"count", check.count},   {"seed", std::to_string(check.seed)},
                 {"profile", check.profile}, {"dry_run", check.dry_run},
                 {"picked", check.picked}};
    return store.AppendAudit(check.actor, "spotcheck",
                             core::Sha256Hex(args.dump(-1, ' ', false, json::error_handler_t::replace)),
                             "ok: spot check " + std::to_string(check.id) + " " + outcome);
  });
}

Status RunSpotCheck(Context& ctx, const SpotOpts& o) {
  if (o.count < 1) return Error(ErrorCode::kInvalidArgument, "--count must be at least 1");
  if (o.lookback_weight < 1) {
    return Error(ErrorCode::kInvalidArgument, "--lookback-weight must be at least 1");
  }
  CII_ASSIGN_OR_RETURN(uint64_t seed, SeedOf(o.seed));
  CII_ASSIGN_OR_RETURN(ScanRequest request, RequestFor(ctx, o.profile));
  std::vector<std::string> formats;
  if (!o.dry_run) {
    CII_ASSIGN_OR_RETURN(formats, ParseFormats(o.formats));
  }
  CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
  const int64_t now = core::NowMillis();
  CII_ASSIGN_OR_RETURN(auto lookback, service::RefreshLookback(*store, now));
  std::set<int64_t> on_list;
  for (const auto& u : lookback) on_list.insert(u.unit_id);
  CII_ASSIGN_OR_RETURN(auto units, store->ListUnits());
  std::sort(units.begin(), units.end(), [](const auto& a, const auto& b) { return a.code < b.code; });
  std::vector<inventory::Unit> pool;
  std::vector<service::SpotCandidate> candidates;
  size_t without_ranges = 0;
  for (auto& u : units) {
    if (u.cidrs.empty()) {
      ++without_ranges;  // nothing registered to scan
      continue;
    }
    candidates.push_back({u.code, on_list.count(u.id) > 0});
    pool.push_back(std::move(u));
  }
  if (pool.empty()) {
    return Error(ErrorCode::kNotFound,
                 "no unit with registered ranges to spot-check (import the units ledger: "
                 "`ciiscope units import FILE`)");
  }
  const auto picks = service::PickSpotCheck(candidates, static_cast<size_t>(o.count), seed,
                                            o.lookback_weight);
  inventory::SpotCheck check;
  check.time = now;
  check.actor = Actor(ctx);
  check.seed = seed;
  check.count = o.count;
  check.profile = o.profile;
  check.dry_run = o.dry_run;
  fmt::print("spot check: {} of {} unit(s) with registered ranges ({} on the look-back list, "
             "weight {}), seed {}{}\n",
             picks.size(), pool.size(), on_list.size(), o.lookback_weight, seed,
             without_ranges ? fmt::format("; {} unit(s) without ranges skipped", without_ranges) : "");
  request.targets.clear();
  for (size_t i : picks) {
    const auto& u = pool[i];
    check.picked.push_back(u.code);
    std::string ranges;
    for (const auto& c : u.cidrs) {
      ranges += (ranges.empty() ? "" : ",") + c;
      request.targets.push_back(c);
    }
    fmt::print("  {:<16} {:<30} {}{}\n", core::TruncateUtf8(Clean(u.code), 16),
               core::TruncateUtf8(Clean(u.name), 30), Clean(ranges),
               candidates[i].lookback ? "  回头看/look-back" : "");
  }
  std::string picked;
  for (const auto& c : check.picked) picked += (picked.empty() ? "" : ",") + c;
  const std::string what = "units " + picked + " (seed " + std::to_string(seed) + ")";
  if (o.dry_run) {
    CII_RETURN_IF_ERROR(Record(*store, check, "dry run: " + what));
    fmt::print("dry run: nothing scanned (spot check {} recorded)\n", check.id);
    return Ok();
  }
  std::fflush(stdout);
  CII_ASSIGN_OR_RETURN(auto result, RunAudit(ctx, *store, request, formats, o.out));
  check.scan_id = result.scan.scan_id;
  return Record(*store, check,
                what + ": scan " + std::to_string(check.scan_id) + ", " +
                    std::to_string(result.assess.findings_new) + " new finding(s)");
}

}  // namespace

void AddSpotcheckCommand(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<SpotOpts>();
  auto* cmd = app.add_subcommand(
      "spotcheck", "Spot check (飞行检查): audit randomly picked units now, weighted to 回头看");
  cmd->add_option("--count", o->count, "Units to pick")->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed of the pick (default: random; recorded)");
  cmd->add_option("--profile", o->profile,
                  "ciiscope.yaml profile giving ports, engine, rate and concurrency");
  cmd->add_flag("--dry-run", o->dry_run, "Pick and record, scan nothing");
  cmd->add_option("--lookback-weight", o->lookback_weight,
                  "How many times likelier a look-back unit is to be picked")
      ->capture_default_str();
  cmd->add_option("--format", o->formats, "Report formats")->capture_default_str();
  cmd->add_option("-o,--output", o->out, "Report directory")->capture_default_str();
  cmd->callback([&ctx, o] { ctx.action = [&ctx, o]() -> Status { return RunSpotCheck(ctx, *o); }; });
}

}  // namespace ciiscope::app
