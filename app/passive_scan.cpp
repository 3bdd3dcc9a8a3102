#include "app/passive_scan.h"

#include <charconv>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/ports.h"
#include "inventory/store/store.h"
#include "scanner/passive/capture_file.h"
#include "scanner/passive/live_capture.h"
#include "scanner/passive/monitor.h"

namespace ciiscope::app {
namespace {

namespace passive = scanner::passive;

// Monitor events go to the store as they happen: buffered for at most one
// tick (200 ms live) or 64 events, written through the evidence sink's lock.
class EventWriter {
 public:
  EventWriter(inventory::StoreSink& sink, int64_t scan_id, int64_t drill_id)
      : sink_(sink), scan_id_(scan_id), drill_id_(drill_id) {}
  void Add(inventory::MonitorEvent e) {
    e.scan_id = scan_id_;
    e.drill_id = drill_id_;
    pending_.push_back(std::move(e));
    if (pending_.size() >= 64) Flush();
  }
  void Flush() {
    if (pending_.empty()) return;
    Status s = sink_.WithStore([&](inventory::Store& store) { return store.AddMonitorEvents(pending_); });
    if (!s && !error_) error_ = s.error();
    written_ += s ? pending_.size() : 0;
    pending_.clear();
  }
  Status status() const { return error_ ? Status(*error_) : Ok(); }
  uint64_t written() const { return written_; }

 private:
  inventory::StoreSink& sink_;
  int64_t scan_id_, drill_id_;
  std::vector<inventory::MonitorEvent> pending_;
  std::optional<Error> error_;
  uint64_t written_ = 0;
};

Result<passive::MonitorConfig> MonitorConfigOf(const PassiveRequest& r) {
  passive::MonitorConfig c;
  CII_ASSIGN_OR_RETURN(c.ranges, passive::ParseRanges(r.monitor_ranges));
  CII_ASSIGN_OR_RETURN(c.window_ms, ParseDurationMs(r.scan_window, "--scan-window"));
  if (r.scan_ports < 2 || r.scan_hosts < 2) {
    return Error(ErrorCode::kInvalidArgument, "--scan-ports and --scan-hosts must be at least 2");
  }
  c.port_threshold = r.scan_ports;
  c.host_threshold = r.scan_hosts;
  if (r.forbidden_ports != "none" && !r.forbidden_ports.empty()) {
    auto ports = core::PortList::Parse(r.forbidden_ports);
    if (!ports) {
      return Error(ErrorCode::kInvalidArgument,
                   "--forbidden-ports '" + r.forbidden_ports + "': " + ports.error().message());
    }
    c.forbidden_tcp_ports = ports->ports();
  }
  return c;
}

void PrintStats(const passive::PassiveStats& st, double secs) {
  std::fprintf(stderr,
               "passive: %llu packet(s), %llu byte(s), %llu decode error(s), %llu flow(s) "
               "(%llu evicted), %llu host(s), %llu service(s), %llu observation(s) in %.2f s "
               "(%.0f packets/s)\n",
               static_cast<unsigned long long>(st.packets), static_cast<unsigned long long>(st.bytes),
               static_cast<unsigned long long>(st.decode_errors),
               static_cast<unsigned long long>(st.flows),
               static_cast<unsigned long long>(st.flows_evicted),
               static_cast<unsigned long long>(st.hosts),
               static_cast<unsigned long long>(st.services),
               static_cast<unsigned long long>(st.observations), secs,
               secs > 0 ? static_cast<double>(st.packets) / secs : 0.0);
}

}  // namespace

Result<int64_t> ParseDurationMs(std::string_view text, std::string_view flag) {
  auto bad = [&] {
    return Error(ErrorCode::kInvalidArgument,
                 std::string(flag) + " '" + std::string(text) +
                     "': expected a positive duration such as 90, 90s, 1500ms, 15m or 2h");
  };
  int64_t n = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, n);
  if (ec != std::errc() || n <= 0) return bad();
  const std::string_view unit(ptr, static_cast<size_t>(end - ptr));
  int64_t scale = 0;
  if (unit.empty() || unit == "s") scale = 1000;
  else if (unit == "ms") scale = 1;
  else if (unit == "m") scale = 60'000;
  else if (unit == "h") scale = 3'600'000;
  else return bad();
  if (n > INT64_MAX / scale / 1000) return bad();
  return n * scale;
}

Result<ScanSummary> RunPassiveScan(Context& ctx, inventory::Store& store,
                                   const PassiveRequest& preq, const ScanRequest& request) {
  const bool live = !preq.interface.empty();
  if (!request.targets.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 std::string(live ? "--interface captures" : "--pcap reads capture files") +
                     "; give no targets with it (got '" + request.targets.front() + "')");
  }
  if (live && !preq.files.empty()) {
    return Error(ErrorCode::kInvalidArgument, "--pcap and --interface cannot be combined");
  }
  if (!live && (!preq.bpf.empty() || !preq.duration.empty())) {
    return Error(ErrorCode::kInvalidArgument, "--bpf and --duration apply to --interface only");
  }
  int64_t duration_ms = 0;
  if (!preq.duration.empty()) {
    CII_ASSIGN_OR_RETURN(duration_ms, ParseDurationMs(preq.duration, "--duration"));
  }
  std::optional<passive::MonitorConfig> monitor_config;
  if (preq.monitor) {
    CII_ASSIGN_OR_RETURN(monitor_config, MonitorConfigOf(preq));
  }

  inventory::Scan scan;
  scan.profile = request.profile;
  if (live) {
    scan.targets = "interface:" + preq.interface;
    if (!preq.bpf.empty()) scan.targets += " bpf:" + preq.bpf;
  }
  for (const auto& f : preq.files) scan.targets += (scan.targets.empty() ? "" : " ") + f;
  scan.engine = "passive";
  scan.operator_name = Actor(ctx);
  scan.started_at = core::NowMillis();
  scan.status = "running";
  int64_t drill_id = 0;
  if (preq.monitor) {
    CII_ASSIGN_OR_RETURN(drill_id, store.RunningDrillId());
  }
  // Known services for "new-service": everything the inventory holds open.
  std::vector<inventory::Service> known;
  if (preq.monitor) {
    CII_ASSIGN_OR_RETURN(known, store.ListServices());
  }

  // Live: open the handle, then drop privileges before reading a packet.
  std::unique_ptr<passive::LiveCapture> capture;
  std::string dropped;
  if (live) {
    passive::LiveOptions lo;
    lo.interface = preq.interface;
    lo.bpf = preq.bpf;
    CII_ASSIGN_OR_RETURN(capture, passive::LiveCapture::Open(lo));
    CII_ASSIGN_OR_RETURN(dropped, passive::DropPrivileges(preq.user));
    std::fprintf(stderr, "passive: capturing on %s%s%s; privileges dropped: %s\n",
                 preq.interface.c_str(), preq.bpf.empty() ? "" : " with filter ",
                 preq.bpf.c_str(), dropped.c_str());
  }
  CII_ASSIGN_OR_RETURN(int64_t scan_id, store.CreateScan(scan));

  // Files: few, large transactions (each commit is an fsync; at 256 a batch
  // they were a third of a file scan's wall time). Live: small batches, so
  // evidence shows up while the capture runs. Either way memory is bounded.
  inventory::StoreSink sink(store, scan_id, live ? 256 : 8192);
  EventWriter events(sink, scan_id, drill_id);
  std::unique_ptr<passive::Monitor> monitor;
  if (monitor_config) {
    monitor = std::make_unique<passive::Monitor>(
        *monitor_config, [&events](inventory::MonitorEvent e) { events.Add(std::move(e)); });
    for (const auto& s : known) {
      if (s.state == "open") monitor->AddKnownService(s.address, s.transport, s.port);
    }
  }
  static const std::atomic<bool> kNeverStop{false};
  const std::atomic<bool>& stop = ctx.stop ? *ctx.stop : kNeverStop;
  passive::PassiveOptions options;

  passive::PassiveRunResult run;
  const auto start = core::NowMillis();
  if (live) {
    passive::PassiveAnalyzer analyzer(options, sink);
    analyzer.SetMonitor(monitor.get());
    Status st = capture->Run(analyzer, stop, duration_ms, [&](int64_t) { events.Flush(); });
    analyzer.Finish();  // every open flow, hosts and services: also after SIGINT or an error
    run.stats = analyzer.stats();
    run.interrupted = stop.load();
    if (!st) run.errors.push_back(st.error().message());
  } else {
    auto r = passive::AnalyzeCaptureFiles(preq.files, options, sink, stop, monitor.get());
    if (!r) {
      sink.Flush();
      events.Flush();
      (void)store.FinishScan(scan_id, "failed",
                             nlohmann::json({{"error", r.error().message()}}).dump());
      return std::move(r).error();
    }
    run = std::move(*r);
  }
  sink.Flush();
  events.Flush();
  run.duration_ms = core::NowMillis() - start;
  for (const auto& line : run.errors) std::fprintf(stderr, "error: %s\n", line.c_str());
  for (const auto& line : run.warnings) std::fprintf(stderr, "warning: %s\n", line.c_str());
  const auto& st = run.stats;
  PrintStats(st, static_cast<double>(run.duration_ms) / 1000.0);

  ScanSummary summary;
  summary.scan_id = scan_id;
  summary.hosts = st.hosts;
  summary.open = st.services;
  summary.duration_ms = run.duration_ms;
  summary.interrupted = run.interrupted;
  nlohmann::json stats = nlohmann::json::parse(passive::PassiveStatsJson(st));
  if (live) {
    const passive::LiveStats ls = capture->Stats();
    stats["interface"] = preq.interface;
    stats["privileges"] = dropped;
    if (ls.stats_ok) {
      stats["kernel_received"] = ls.kernel_received;
      stats["kernel_dropped"] = ls.kernel_dropped;
      stats["interface_dropped"] = ls.interface_dropped;
    }
    std::fprintf(stderr,
                 "capture: %llu packet(s) received by the filter, %llu dropped by the kernel, "
                 "%llu dropped by the interface, %llu flow(s) evicted\n",
                 static_cast<unsigned long long>(ls.kernel_received),
                 static_cast<unsigned long long>(ls.kernel_dropped),
                 static_cast<unsigned long long>(ls.interface_dropped),
                 static_cast<unsigned long long>(st.flows_evicted));
  } else {
    stats["files"] = preq.files.size();
    stats["file_errors"] = run.errors.size();
    stats["file_warnings"] = run.warnings.size();
  }
  if (monitor) {
    stats["monitor_events"] = monitor->stats().events;
    stats["monitor_untracked"] = monitor->stats().untracked;
    stats["drill_id"] = drill_id;
    std::fprintf(stderr, "monitor: %llu event(s)%s\n",
                 static_cast<unsigned long long>(events.written()),
                 drill_id ? (" for drill " + std::to_string(drill_id)).c_str() : "");
  }
  stats["duration_ms"] = run.duration_ms;
  stats["observations_stored"] = sink.recorded();
  const bool failed = live && !run.errors.empty();
  CII_RETURN_IF_ERROR(store.FinishScan(
      scan_id, failed ? "failed" : summary.interrupted ? "interrupted" : "done", stats.dump()));
  CII_RETURN_IF_ERROR(sink.status());
  CII_RETURN_IF_ERROR(events.status());
  if (failed) return Error(ErrorCode::kIo, run.errors.front());
  return summary;
}

}  // namespace ciiscope::app
