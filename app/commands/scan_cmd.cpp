#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/commands/scan_options.h"
#include "app/passive_scan.h"
#include "app/context.h"
#include "inventory/store/store.h"

namespace ciiscope::app {

void AddScanCommand(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("scan", "Discover hosts, ports and services; store the evidence");
  auto flags = std::make_shared<ScanFlags>();
  auto json = std::make_shared<bool>(false);
  auto pcap = std::make_shared<std::vector<std::string>>();
  AddScanFlags(cmd, *flags);
  cmd->add_option("--pcap", *pcap,
                  "Passive: read pcap/pcapng FILEs instead of scanning (no targets; sends nothing)");
  cmd->add_flag("--json", *json, "Print the scan summary as JSON");
  cmd->add_option("--resume", flags->request.resume_scan_id,
                  "Continue interrupted or killed scan SCAN (same targets, ports, seed, shard)");
  cmd->add_option("--checkpoint-every", flags->request.checkpoint_interval_ms,
                  "Write a resume checkpoint every MS milliseconds")
      ->capture_default_str();
  cmd->callback([&ctx, flags, json, pcap] {
    ctx.action = [&ctx, flags, json, pcap]() -> Status {
      if (pcap->empty()) CII_RETURN_IF_ERROR(FinalizeScanFlags(*flags));
      CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
      CII_ASSIGN_OR_RETURN(ScanSummary s, pcap->empty() ? RunScan(ctx, *store, flags->request)
                                                       : RunPassiveScan(ctx, *store, *pcap, flags->request));
      if (*json) {
        nlohmann::json j = {{"scan", s.scan_id},   {"status", s.interrupted ? "interrupted" : "done"},
                            {"hosts", s.hosts},    {"ports", s.ports},
                            {"open", s.open},      {"closed", s.closed},
                            {"filtered", s.filtered}, {"duration_ms", s.duration_ms}};
        fmt::print("{}\n", j.dump());
      } else {
        fmt::print("{}\n", DescribeScanLine(s));
      }
      if (s.interrupted) {
        return Error(ErrorCode::kInterrupted,
                     fmt::format("scan {} interrupted; {} open port(s) kept in {}", s.scan_id,
                                 s.open, ctx.global.db));
      }
      return Ok();
    };
  });
}

}  // namespace ciiscope::app
