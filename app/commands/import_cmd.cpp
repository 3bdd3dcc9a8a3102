// `ciiscope import nmap-xml|masscan FILE`: another scanner's output becomes
// a scan in the inventory, with its evidence (no packets are sent).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/context.h"
#include "core/clock.h"
#include "core/hash.h"
#include "core/ports.h"
#include "inventory/store/store.h"
#include "scanner/importers/import.h"

namespace ciiscope::app {
namespace {

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kIo, path + ": cannot read: " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status RunImport(Context& ctx, const std::string& format, const std::string& path, bool as_json) {
  scanner::ImportFn importer = scanner::FindImporter(format);
  if (importer == nullptr) return Error(ErrorCode::kInvalidArgument, "unknown import format " + format);
  CII_ASSIGN_OR_RETURN(std::string content, ReadWholeFile(path));
  CII_ASSIGN_OR_RETURN(scanner::ImportResult imported, importer(content, path));
  CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));

  inventory::Scan scan;
  scan.profile = "import";
  scan.targets = "import:" + path;
  scan.ports = core::PortList::Of(imported.ports).ToString();
  scan.engine = imported.tool + "-import";
  scan.operator_name = Actor(ctx);
  scan.started_at = imported.started_at != 0 ? imported.started_at : core::NowMillis();
  scan.status = "running";
  scan.options_json = nlohmann::json({{"source", path},
                                      {"tool", imported.tool},
                                      {"format", imported.format},
                                      {"args", imported.args}})
                          .dump();
  CII_ASSIGN_OR_RETURN(int64_t scan_id, store->CreateScan(scan));
  uint64_t recorded = 0;
  {
    inventory::StoreSink sink(*store, scan_id);
    for (auto& obs : imported.observations) sink.Record(std::move(obs));
    sink.Flush();
    recorded = sink.recorded();
    if (auto st = sink.status(); !st) {
      (void)store->FinishScan(scan_id, "failed",
                              nlohmann::json({{"error", st.error().message()}}).dump());
      return st;
    }
  }
  nlohmann::json stats = {{"hosts", imported.hosts}, {"open", imported.open},
                          {"closed", imported.closed}, {"filtered", imported.filtered},
                          {"observations", recorded}, {"source", path}};
  CII_RETURN_IF_ERROR(store->FinishScan(scan_id, "done", stats.dump()));
  CII_RETURN_IF_ERROR(store->AppendAudit(Actor(ctx), "import " + format, core::Sha256Hex(content),
                                         "ok: scan " + std::to_string(scan_id)));
  if (as_json) {
    stats["scan"] = scan_id;
    stats["tool"] = imported.tool;
    stats["format"] = imported.format;
    fmt::print("{}\n", stats.dump());
  } else {
    fmt::print("import: scan {} from {} ({} {}): {} host(s), {} open, {} closed, {} filtered\n",
               scan_id, path, imported.tool, imported.format, imported.hosts, imported.open,
               imported.closed, imported.filtered);
  }
  return Ok();
}

}  // namespace

void AddImportCommand(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("import", "Import another scanner's output as a scan (no packets)");
  cmd->require_subcommand(1);
  for (const auto& [format, help] : std::vector<std::pair<std::string, std::string>>{
           {"nmap-xml", "nmap -oX output (with -sV service data)"},
           {"masscan", "masscan -oJ (JSON) or -oL (list) output"}}) {
    const std::string name = format;  // captured below (not the structured binding)
    auto path = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    auto* sub = cmd->add_subcommand(name, help);
    sub->add_option("file", *path, "The file to import")->required();
    sub->add_flag("--json", *json, "Print the summary as JSON");
    sub->callback([&ctx, name, path, json] {
      ctx.action = [&ctx, name, path, json]() -> Status {
        return RunImport(ctx, name, *path, *json);
      };
    });
  }
}

}  // namespace ciiscope::app
