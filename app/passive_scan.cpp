#include "app/passive_scan.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "inventory/store/store.h"
#include "scanner/passive/capture_file.h"

namespace ciiscope::app {

Result<ScanSummary> RunPassiveScan(Context& ctx, inventory::Store& store,
                                   const std::vector<std::string>& files,
                                   const ScanRequest& request) {
  if (!request.targets.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "--pcap reads capture files; give no targets with it (got '" +
                     request.targets.front() + "')");
  }
  inventory::Scan scan;
  scan.profile = request.profile;
  for (const auto& f : files) scan.targets += (scan.targets.empty() ? "" : " ") + f;
  scan.engine = "passive";
  scan.operator_name = Actor(ctx);
  scan.started_at = core::NowMillis();
  scan.status = "running";
  CII_ASSIGN_OR_RETURN(int64_t scan_id, store.CreateScan(scan));

  inventory::StoreSink sink(store, scan_id);
  static const std::atomic<bool> kNeverStop{false};
  const std::atomic<bool>& stop = ctx.stop ? *ctx.stop : kNeverStop;
  auto run = scanner::passive::AnalyzeCaptureFiles(files, scanner::passive::PassiveOptions{}, sink,
                                                    stop);
  sink.Flush();
  if (!run) {
    (void)store.FinishScan(scan_id, "failed",
                           nlohmann::json({{"error", run.error().message()}}).dump());
    return std::move(run).error();
  }
  for (const auto& line : run->errors) std::fprintf(stderr, "error: %s\n", line.c_str());
  for (const auto& line : run->warnings) std::fprintf(stderr, "warning: %s\n", line.c_str());
  const auto& st = run->stats;
  const double secs = static_cast<double>(run->duration_ms) / 1000.0;
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

  ScanSummary summary;
  summary.scan_id = scan_id;
  summary.hosts = st.hosts;
  summary.open = st.services;
  summary.duration_ms = run->duration_ms;
  summary.interrupted = run->interrupted;
  nlohmann::json stats = nlohmann::json::parse(scanner::passive::PassiveStatsJson(st));
  stats["files"] = files.size();
  stats["file_errors"] = run->errors.size();
  stats["file_warnings"] = run->warnings.size();
  stats["duration_ms"] = run->duration_ms;
  stats["observations_stored"] = sink.recorded();
  CII_RETURN_IF_ERROR(store.FinishScan(scan_id, summary.interrupted ? "interrupted" : "done",
                                       stats.dump()));
  CII_RETURN_IF_ERROR(sink.status());
  return summary;
}

}  // namespace ciiscope::app
