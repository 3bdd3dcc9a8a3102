#include "scanner/passive/capture_file.h"

#include <pcap/pcap.h>

#include <chrono>
#include <memory>

namespace ciiscope::scanner::passive {
namespace {

struct PcapCloser {
  void operator()(pcap_t* p) const { pcap_close(p); }
};

}  // namespace

Result<CaptureFileResult> ReadCaptureFile(const std::string& path, PassiveAnalyzer& analyzer,
                                          const std::atomic<bool>& stop) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  std::unique_ptr<pcap_t, PcapCloser> handle(
      pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_MICRO, errbuf));
  if (!handle) {
    return Error(ErrorCode::kParse, path + ": cannot read capture: " + errbuf);
  }
  CaptureFileResult out;
  out.link_type = pcap_datalink(handle.get());
  if (!IsSupportedLinkType(out.link_type)) {
    const char* name = pcap_datalink_val_to_name(out.link_type);
    out.warning = path + ": link type " + std::to_string(out.link_type) + " (" +
                  (name ? name : "unknown") + ") is not decoded; packets counted only";
  }
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  while (!stop.load(std::memory_order_relaxed)) {
    const int rc = pcap_next_ex(handle.get(), &header, &data);
    if (rc == PCAP_ERROR_BREAK) break;  // end of file
    if (rc != 1) {
      out.warning = path + ": damaged after " + std::to_string(out.packets) +
                    " packet(s), the rest is skipped: " + pcap_geterr(handle.get());
      break;
    }
    ++out.packets;
    const int64_t ts_us = int64_t{header->ts.tv_sec} * 1000000 + header->ts.tv_usec;
    analyzer.OnPacket(out.link_type, ts_us,
                      {reinterpret_cast<const std::byte*>(data), header->caplen});
  }
  return out;
}

Result<PassiveRunResult> AnalyzeCaptureFiles(const std::vector<std::string>& files,
                                             const PassiveOptions& options,
                                             inventory::EvidenceSink& sink,
                                             const std::atomic<bool>& stop) {
  if (files.empty()) return Error(ErrorCode::kInvalidArgument, "no capture files given");
  const auto start = std::chrono::steady_clock::now();
  PassiveRunResult run;
  PassiveAnalyzer analyzer(options, sink);
  size_t read_ok = 0;
  for (const auto& path : files) {
    if (stop.load()) break;
    auto r = ReadCaptureFile(path, analyzer, stop);
    if (!r) {
      run.errors.push_back(r.error().message());
      continue;
    }
    ++read_ok;
    if (!r->warning.empty()) run.warnings.push_back(r->warning);
  }
  analyzer.Finish();
  run.stats = analyzer.stats();
  run.interrupted = stop.load();
  run.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
  if (read_ok == 0) {
    return Error(ErrorCode::kParse, run.errors.size() == 1
                                        ? run.errors.front()
                                        : "none of the " + std::to_string(files.size()) +
                                              " capture files could be read (first: " +
                                              run.errors.front() + ")");
  }
  return run;
}

}  // namespace ciiscope::scanner::passive
