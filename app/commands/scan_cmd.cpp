#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/commands/scan_options.h"
#include "app/passive_scan.h"
#include "app/context.h"
#include "inventory/store/store.h"

namespace ciiscope::app {
namespace {

void AddPassiveFlags(CLI::App* cmd, PassiveRequest& p) {
  auto* pcap = cmd->add_option("--pcap", p.files,
                  "Passive: read pcap/pcapng FILEs instead of scanning (no targets; sends nothing)");
  auto* iface = cmd->add_option("--interface", p.interface,
                  "Passive: capture on interface IF (root or CAP_NET_RAW; privileges are dropped "
                  "once it is open; sends nothing)");
  pcap->excludes(iface);
  cmd->add_option("--bpf", p.bpf, "With --interface: capture only what this BPF filter matches");
  cmd->add_option("--duration", p.duration,
                  "With --interface: stop after D (90, 90s, 15m, 2h); default until SIGINT");
  cmd->add_option("--user", p.user, "With --interface: drop privileges to USER")->capture_default_str();
  cmd->add_flag("--monitor", p.monitor,
                "Passive: write drill monitoring events (scans, forbidden ports, new services)");
  cmd->add_option("--monitor-range", p.monitor_ranges,
                  "With --monitor: CIDRs to watch (comma-separated or repeated); default all");
  cmd->add_option("--forbidden-ports", p.forbidden_ports,
                  "With --monitor: TCP ports policy says must be closed ('none' = off)")
      ->capture_default_str();
  cmd->add_option("--scan-window", p.scan_window, "With --monitor: scan detection window")
      ->capture_default_str();
  cmd->add_option("--scan-ports", p.scan_ports,
                  "With --monitor: distinct ports of one target from one source that make a scan")
      ->capture_default_str();
  cmd->add_option("--scan-hosts", p.scan_hosts,
                  "With --monitor: distinct targets of one source that make a sweep")
      ->capture_default_str();
}

}  // namespace

void AddScanCommand(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("scan", "Discover hosts, ports and services; store the evidence");
  auto flags = std::make_shared<ScanFlags>();
  auto json = std::make_shared<bool>(false);
  auto passive = std::make_shared<PassiveRequest>();
  AddScanFlags(cmd, *flags);
  AddPassiveFlags(cmd, *passive);
  cmd->add_flag("--json", *json, "Print the scan summary as JSON");
  cmd->add_option("--resume", flags->request.resume_scan_id,
                  "Continue interrupted or killed scan SCAN (same targets, ports, seed, shard)");
  cmd->add_option("--checkpoint-every", flags->request.checkpoint_interval_ms,
                  "Write a resume checkpoint every MS milliseconds")
      ->capture_default_str();
  cmd->callback([&ctx, flags, json, passive] {
    ctx.action = [&ctx, flags, json, passive]() -> Status {
      const bool is_passive = !passive->files.empty() || !passive->interface.empty();
      if (!is_passive) CII_RETURN_IF_ERROR(FinalizeScanFlags(*flags));
      CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
      CII_ASSIGN_OR_RETURN(ScanSummary s,
                           is_passive ? RunPassiveScan(ctx, *store, *passive, flags->request)
                                      : RunScan(ctx, *store, flags->request));
      if (*json) {
        nlohmann::json j = {{"scan", s.scan_id},   {"status", s.interrupted ? "interrupted" : "done"},
                            {"hosts", s.hosts},    {"ports", s.ports},
                            {"open", s.open},      {"closed", s.closed},
                            {"filtered", s.filtered}, {"duration_ms", s.duration_ms},
                            {"unit_rates", UnitRatesJson(s.unit_rates)}};
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
