#pragma once
// Capture files in, packets to a PassiveAnalyzer: libpcap's offline reader
// (pcap and pcapng; bad magic, bad versions, absurd caplens and oversized
// blocks are rejected by libpcap before it allocates for them). The only
// I/O of the passive engine; no packet is ever sent.

#include <sys/time.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "inventory/model/observation.h"
#include "scanner/passive/passive_analyzer.h"

namespace ciiscope::scanner::passive {

class Monitor;

// A capture header's time in microseconds since the epoch. The header is
// attacker-controlled (pcapng stores 64-bit times): seconds are clamped to
// [0, 9999-12-31T23:59:59Z] and microseconds to [0, 999999], so the product
// never overflows and every later date formatter gets a real date.
int64_t CaptureTimeMicros(const timeval& ts);

struct CaptureFileResult {
  uint64_t packets = 0;
  int link_type = -1;
  // One line when the file ends in damage (the packets before it are kept)
  // or its link type is not decoded; empty otherwise.
  std::string warning;
};

// Feeds every packet of `path` to the analyzer until the end, damage or
// `stop`. Fails (one line naming the file) only when the file cannot be
// opened as a capture.
Result<CaptureFileResult> ReadCaptureFile(const std::string& path, PassiveAnalyzer& analyzer,
                                          const std::atomic<bool>& stop);

struct PassiveRunResult {
  PassiveStats stats;
  std::vector<std::string> warnings;  // one line each: damaged files
  std::vector<std::string> errors;    // one line each: files that could not be read
  bool interrupted = false;
  int64_t duration_ms = 0;
};

// Reads the files in order into one analyzer writing to `sink`, then
// finishes it (sink.Flush() included). `monitor` (optional) sees every
// packet. Fails only when no file could be read.
Result<PassiveRunResult> AnalyzeCaptureFiles(const std::vector<std::string>& files,
                                             const PassiveOptions& options,
                                             inventory::EvidenceSink& sink,
                                             const std::atomic<bool>& stop,
                                             Monitor* monitor = nullptr);

}  // namespace ciiscope::scanner::passive
