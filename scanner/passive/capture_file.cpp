#include "scanner/passive/capture_file.h"

#include <pcap/pcap.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

namespace ciiscope::scanner::passive {
namespace {

struct PcapCloser {
  void operator()(pcap_t* p) const { pcap_close(p); }
};

// gzip'd captures: a read-only stdio stream over zlib's gzread, so libpcap
// reads them as it reads plain files (pcap_fopen_offline closes the stream).
ssize_t GzRead(void* cookie, char* buf, size_t size) {
  const unsigned chunk = size > (1u << 30) ? (1u << 30) : static_cast<unsigned>(size);
  auto* gz = static_cast<gzFile>(cookie);
  const int n = gzread(gz, buf, chunk);
  if (n > 0) return n;
  int err = Z_OK;
  gzerror(gz, &err);
  // A cut stream ends with Z_BUF_ERROR: a read error, so the damage is reported.
  return n < 0 || (err != Z_OK && err != Z_STREAM_END) ? -1 : 0;
}
int GzClose(void* cookie) { return gzclose(static_cast<gzFile>(cookie)) == Z_OK ? 0 : EOF; }

bool IsGzip(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  unsigned char magic[2] = {0, 0};
  const bool gz = std::fread(magic, 1, 2, f) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  std::fclose(f);
  return gz;
}

// libpcap reads a record with two freads; stdio's default 4 KiB buffer made
// that one read(2) per 4 KiB — 70,000 system calls for a 270 MiB file, the
// largest cost of a file scan on a virtual machine. A 1 MiB buffer (owned by
// the caller, alive until pcap_close) makes it 270.
constexpr size_t kReadBuffer = 1u << 20;

pcap_t* OpenCapture(const std::string& path, char* errbuf, char* buffer) {
  if (!IsGzip(path)) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
      // libpcap's own message for the same failure ("…: No such file or directory").
      return pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_MICRO,
                                                     errbuf);
    }
    std::setvbuf(f, buffer, _IOFBF, kReadBuffer);
    pcap_t* p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
    if (p == nullptr) std::fclose(f);
    return p;
  }
  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) {
    std::snprintf(errbuf, PCAP_ERRBUF_SIZE, "cannot open gzip stream");
    return nullptr;
  }
  gzbuffer(gz, 1u << 18);
  FILE* f = fopencookie(gz, "rb", cookie_io_functions_t{GzRead, nullptr, nullptr, GzClose});
  if (f == nullptr) {
    gzclose(gz);
    std::snprintf(errbuf, PCAP_ERRBUF_SIZE, "cannot open gzip stream");
    return nullptr;
  }
  std::setvbuf(f, buffer, _IOFBF, kReadBuffer);
  pcap_t* p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
  if (p == nullptr) std::fclose(f);
  return p;
}

}  // namespace

Result<CaptureFileResult> ReadCaptureFile(const std::string& path, PassiveAnalyzer& analyzer,
                                          const std::atomic<bool>& stop) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  // Declared before the handle: the stream uses it until pcap_close.
  const std::unique_ptr<char[]> buffer(new char[kReadBuffer]);
  std::unique_ptr<pcap_t, PcapCloser> handle(OpenCapture(path, errbuf, buffer.get()));
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
    const int64_t ts_us = CaptureTimeMicros(header->ts);
    analyzer.OnPacket(out.link_type, ts_us,
                      {reinterpret_cast<const std::byte*>(data), header->caplen});
  }
  return out;
}

int64_t CaptureTimeMicros(const timeval& ts) {
  constexpr int64_t kMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z
  const int64_t sec = std::clamp<int64_t>(ts.tv_sec, 0, kMaxSeconds);
  const int64_t usec = std::clamp<int64_t>(ts.tv_usec, 0, 999999);
  return sec * 1000000 + usec;
}

Result<PassiveRunResult> AnalyzeCaptureFiles(const std::vector<std::string>& files,
                                             const PassiveOptions& options,
                                             inventory::EvidenceSink& sink,
                                             const std::atomic<bool>& stop, Monitor* monitor) {
  if (files.empty()) return Error(ErrorCode::kInvalidArgument, "no capture files given");
  const auto start = std::chrono::steady_clock::now();
  PassiveRunResult run;
  PassiveAnalyzer analyzer(options, sink);
  analyzer.SetMonitor(monitor);
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
