// `ciiscope units import FILE | list`: the units ledger (单位台账) through
// which every asset finds its accountable unit (DESIGN.md "Every unit is
// accountable"). The assessor uses it on the next `assess`.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "app/context.h"
#include "app/units_file.h"
#include "core/hash.h"
#include "core/text.h"
#include "inventory/store/store.h"

namespace ciiscope::app {
namespace {

using nlohmann::json;

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::string Cell(std::string_view s, size_t width) {
  return core::TruncateUtf8(core::Printable(core::SanitizeUtf8(s)), width);
}

}  // namespace

void AddUnitsCommand(CLI::App& app, Context& ctx) {
  auto* units = app.add_subcommand("units", "The units ledger: hierarchy, owners, ranges, domains");
  units->require_subcommand(1);

  auto file = std::make_shared<std::string>();
  auto* import = units->add_subcommand("import", "Import or update units from a CSV or YAML file");
  import->add_option("FILE", *file, "Units file (.csv or .yaml)")->required();
  import->callback([&ctx, file] {
    ctx.action = [&ctx, file]() -> Status {
      CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
      CII_ASSIGN_OR_RETURN(auto existing, store->ListUnits());
      std::set<std::string> known;
      for (const auto& u : existing) known.insert(u.code);
      CII_ASSIGN_OR_RETURN(auto list, LoadUnitsFile(*file, known));
      size_t cidrs = 0, domains = 0;
      for (const auto& u : list) {
        cidrs += u.cidrs.size();
        domains += u.domains.size();
      }
      std::string outcome = "ok: " + std::to_string(list.size()) + " unit(s) from " + *file;
      CII_RETURN_IF_ERROR(store->Transaction([&]() -> Status {
        CII_RETURN_IF_ERROR(store->ImportUnits(list));
        json args = {{"file", *file}, {"units", list.size()}};
        return store->AppendAudit(Actor(ctx), "units import",
                                  core::Sha256Hex(args.dump(-1, ' ', false,
                                                            json::error_handler_t::replace)),
                                  outcome);
      }));
      fmt::print("imported {} unit(s), {} range(s), {} domain(s); run `ciiscope assess` to "
                 "assign assets\n",
                 list.size(), cidrs, domains);
      return Ok();
    };
  });

  auto as_json = std::make_shared<bool>(false);
  auto* list = units->add_subcommand("list", "List the units ledger");
  list->add_flag("--json", *as_json, "JSON output");
  list->callback([&ctx, as_json] {
    ctx.action = [&ctx, as_json]() -> Status {
      CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
      CII_ASSIGN_OR_RETURN(auto all, store->ListUnits());
      if (*as_json) {
        json arr = json::array();
        for (const auto& u : all) {
          arr.push_back({{"id", u.code}, {"parent", u.parent_code}, {"name", u.name},
                         {"level", u.level}, {"owner", u.owner}, {"contact", u.contact},
                         {"cidrs", u.cidrs}, {"domains", u.domains}, {"rate", u.rate}});
        }
        fmt::print("{}\n", arr.dump(2, ' ', false, json::error_handler_t::replace));
        return Ok();
      }
      for (const auto& u : all) {
        fmt::print("{:<16}  {:<10}  {:<16}  {:<30}  {:<12}  {}  {}{}\n", Cell(u.code, 16), u.level,
                   Cell(u.parent_code.empty() ? "-" : u.parent_code, 16), Cell(u.name, 30),
                   Cell(u.owner, 12), Cell(Joined(u.cidrs), 60), Cell(Joined(u.domains), 60),
                   u.rate > 0 ? fmt::format("  rate {}/s", u.rate) : std::string());
      }
      fmt::print("{} unit(s)\n", all.size());
      return Ok();
    };
  });
}

}  // namespace ciiscope::app
