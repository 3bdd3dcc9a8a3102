#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/commands/assets_cmd.h"
#include "app/context.h"
#include "core/clock.h"
#include "core/text.h"
#include "inventory/store/store.h"

namespace ciiscope::app {
namespace {

using nlohmann::json;

std::string Cell(std::string_view s, size_t width) {
  return core::TruncateUtf8(core::Printable(core::SanitizeUtf8(s)), width);
}

// Why an asset is a shadow asset: no owning unit (ledger_status, set by the
// assessor's ledger pass) and/or seen by passive capture only.
std::vector<std::string> ShadowReasons(const inventory::Asset& a) {
  std::vector<std::string> out;
  if (a.ledger_status == "shadow") out.emplace_back("unowned");
  if (a.passive_only()) out.emplace_back("passive-only");
  return out;
}

void PrintJson(const json& j) {
  fmt::print("{}\n", j.dump(2, ' ', false, json::error_handler_t::replace));
}

}  // namespace

void AddListCommands(CLI::App& app, Context& ctx) {
  auto as_json = std::make_shared<bool>(false);

  auto* services = app.add_subcommand("services", "Services in the inventory");
  services->require_subcommand(1);
  auto* slist = services->add_subcommand("list", "List services");
  slist->add_flag("--json", *as_json, "JSON output");
  slist->callback([&ctx, as_json] {
    ctx.action = [&ctx, as_json]() -> Status {
      CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
      CII_ASSIGN_OR_RETURN(auto list, store->ListServices());
      if (*as_json) {
        json arr = json::array();
        for (const auto& s : list) {
          arr.push_back({{"id", s.id}, {"address", s.address}, {"transport", s.transport},
                         {"port", s.port}, {"state", s.state}, {"name", s.name},
                         {"product", s.product}, {"version", s.version}});
        }
        PrintJson(arr);
        return Ok();
      }
      for (const auto& s : list) {
        fmt::print("{:<40}  {:>5}/{:<3}  {:<6}  {:<10}  {} {}\n", Cell(s.address, 40), s.port,
                   s.transport, s.state, Cell(s.name, 10), Cell(s.product, 30), Cell(s.version, 30));
      }
      fmt::print("{} service(s)\n", list.size());
      return Ok();
    };
  });

  auto* assets = app.add_subcommand("assets", "Assets in the inventory");
  assets->require_subcommand(1);
  auto* alist = assets->add_subcommand("list", "List assets");
  alist->add_flag("--json", *as_json, "JSON output");
  alist->callback([&ctx, as_json] {
    ctx.action = [&ctx, as_json]() -> Status {
      CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
      CII_ASSIGN_OR_RETURN(auto list, store->ListAssets());
      if (*as_json) {
        json arr = json::array();
        for (const auto& a : list) {
          arr.push_back({{"id", a.id}, {"address", a.address}, {"hostnames", a.hostnames},
                         {"first_seen", core::FormatIsoTime(a.first_seen)},
                         {"last_seen", core::FormatIsoTime(a.last_seen)},
                         {"role", a.role}, {"criticality", a.criticality},
                         {"cii_status", a.cii_status}, {"data_tags", a.data_tags},
                         {"identified_by", a.identified_by},
                         {"cii_decided_by", a.cii_decided_by},
                         {"cii_decided_at", a.cii_decided_at ? core::FormatIsoTime(a.cii_decided_at) : ""},
                         {"cii_reason", a.cii_reason},
                         {"ledger_status", a.ledger_status},
                         {"seen_active", a.seen_active},
                         {"seen_passive", a.seen_passive},
                         {"shadow", ShadowReasons(a)}});
        }
        PrintJson(arr);
        return Ok();
      }
      for (const auto& a : list) {
        std::string names;
        for (const auto& h : a.hostnames) names += (names.empty() ? "" : ",") + h;
        std::string data;
        for (const auto& t : a.data_tags) data += (data.empty() ? "" : ",") + t;
        std::string shadow;
        for (const auto& r : ShadowReasons(a)) shadow += (shadow.empty() ? "" : ",") + r;
        fmt::print("{:>5}  {:<40}  {:<20}  {:<18}  {:<6}  {:<9}  {:<24}  {:<20}  {}\n", a.id,
                   Cell(a.address, 40), core::FormatIsoTime(a.last_seen),
                   Cell(a.role.empty() ? "-" : a.role, 18),
                   Cell(a.criticality.empty() ? "-" : a.criticality, 6),
                   Cell(a.cii_status.empty() ? "-" : a.cii_status, 9), Cell(data.empty() ? "-" : data, 24),
                   shadow.empty() ? "-" : "shadow:" + shadow, Cell(names, 80));
      }
      fmt::print("{} asset(s)\n", list.size());
      return Ok();
    };
  });
  AddAssetDecisionCommands(*assets, ctx);
}

}  // namespace ciiscope::app
