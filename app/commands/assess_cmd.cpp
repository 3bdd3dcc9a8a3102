#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "app/context.h"
#include "app/pipeline.h"
#include "assessor/profile_eval.h"
#include "core/text.h"
#include "inventory/store/store.h"
#include "rulelang/profile.h"

namespace ciiscope::app {
namespace {

struct AssessArgs {
  int64_t scan = 0;
  std::string profile;  // id (rules/profiles/*.yaml) or a file
  bool json = false;
  int stale_days = assessor::kDefaultStaleDays;
};

void PrintProfileSummary(const nlohmann::json& doc) {
  fmt::print("profile {} ({}): {} pass, {} fail, {} not assessable (asset × item)\n",
             doc["profile"].get<std::string>(), doc["standard"].get<std::string>(),
             doc["summary"]["pass"].get<int>(), doc["summary"]["fail"].get<int>(),
             doc["summary"]["not_assessable"].get<int>());
  for (const auto& unit : doc["units"]) {
    fmt::print("  unit {}:", core::Printable(core::SanitizeUtf8(unit["name"].get<std::string>())));
    for (const auto& r : unit["results"]) {
      fmt::print(" {}={}", r["item"].get<std::string>(), r["status"].get<std::string>());
    }
    fmt::print("\n");
  }
  if (doc.contains("rollup") && !doc["rollup"].empty()) {
    fmt::print("rolled up the unit hierarchy (a unit with all units below it):\n");
    for (const auto& unit : doc["rollup"]) {
      const auto& s = unit["summary"];
      std::string failing;
      for (const auto& r : unit["results"]) {
        if (r["status"] == "fail") {
          failing += (failing.empty() ? "" : ",") + r["item"].get<std::string>();
        }
      }
      fmt::print("  {}{} [{}]: {} pass, {} fail, {} not assessable{}\n",
                 std::string(2 * std::min(unit["depth"].get<size_t>(), size_t{16}), ' '),
                 core::Printable(core::SanitizeUtf8(unit["name"].get<std::string>())),
                 core::Printable(core::SanitizeUtf8(unit["level"].get<std::string>())),
                 s["pass"].get<int>(), s["fail"].get<int>(), s["not_assessable"].get<int>(),
                 failing.empty() ? std::string() : " — failing " + failing);
    }
  }
}

}  // namespace

void AddAssessCommand(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("assess", "Apply the rule packs to stored evidence (no network)");
  auto args = std::make_shared<AssessArgs>();
  cmd->add_option("--scan", args->scan, "Scan id (default: the latest)");
  cmd->add_option("--profile", args->profile,
                  "Also evaluate a profile, e.g. mlps3 (rules/profiles/*.yaml id or a file)");
  cmd->add_flag("--json", args->json, "With --profile: print the profile result as JSON");
  CLI::Option* stale_option =
      cmd->add_option("--stale-days", args->stale_days,
                      "Assets not seen for this many days before the scan get a stale-asset "
                      "finding (0 = off; default: stale_days in ciiscope.yaml, else 30)")
          ->check(CLI::Range(0, 36500));
  cmd->callback([&ctx, args, stale_option] {
    const std::optional<int> stale_given =
        stale_option->count() > 0 ? std::optional<int>(args->stale_days) : std::nullopt;
    ctx.action = [&ctx, args, stale_given]() -> Status {
      CII_ASSIGN_OR_RETURN(auto rules, LoadRules(ctx));
      std::optional<rulelang::Profile> profile;
      if (!args->profile.empty()) {
        auto dir = (std::filesystem::path(RulesDir(ctx)) / "profiles").string();
        CII_ASSIGN_OR_RETURN(profile, rulelang::FindProfile(dir, args->profile));
      }
      CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
      std::optional<int64_t> id;
      if (args->scan > 0) id = args->scan;
      CII_ASSIGN_OR_RETURN(auto stats, RunAssess(ctx, *store, id, rules, stale_given));
      auto out = args->json && profile ? stderr : stdout;
      fmt::print(out,
                 "assessed {} service(s): {} finding(s) matched, {} new, {} reopened, {} verified fixed "
                 "({} rule evaluations)\n",
                 stats.services, stats.findings_seen, stats.findings_new, stats.findings_reopened,
                 stats.findings_verified, stats.evaluations);
      fmt::print(out, "identified {} asset(s), {} CII candidate(s)\n", stats.assets_identified,
                 stats.cii_candidates);
      if (stats.stale_assets > 0) {
        fmt::print(out, "{} asset(s) not seen for {} day(s) or more\n", stats.stale_assets,
                   StaleDays(ctx, stale_given));
      }
      if (!profile) return Ok();
      int64_t scan_id = args->scan;
      if (scan_id <= 0) {
        CII_ASSIGN_OR_RETURN(auto latest, store->LatestScan());
        scan_id = latest ? latest->id : 0;
      }
      CII_ASSIGN_OR_RETURN(auto doc, assessor::EvaluateProfile(*store, *profile, rules, scan_id));
      if (args->json) {
        fmt::print("{}\n", doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
      } else {
        PrintProfileSummary(doc);
      }
      return Ok();
    };
  });
}

}  // namespace ciiscope::app
