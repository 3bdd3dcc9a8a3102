#pragma once
// Live capture for the passive engine: a libpcap handle on an interface
// (optionally filtered by BPF), privileges dropped right after it opens, and
// a poll loop that feeds packets to a PassiveAnalyzer until stopped or the
// duration ends. Receives only; nothing is ever sent.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"
#include "scanner/passive/passive_analyzer.h"

typedef struct pcap pcap_t;  // NOLINT: libpcap's own typedef

namespace ciiscope::scanner::passive {

struct LiveOptions {
  std::string interface;
  std::string bpf;                // empty = every packet
  int snaplen = 65535;
  bool promiscuous = true;
  int buffer_bytes = 32 << 20;    // kernel ring; mirror ports are bursty
  int block_timeout_ms = 100;     // how long the kernel may hold a partial block
};

struct LiveStats {
  uint64_t packets = 0;         // handed to the analyzer
  uint64_t bytes = 0;           // captured bytes
  uint64_t kernel_received = 0; // pcap_stats ps_recv
  uint64_t kernel_dropped = 0;  // ps_drop: no room in the buffer
  uint64_t interface_dropped = 0;  // ps_ifdrop
  bool stats_ok = false;
};

class LiveCapture {
 public:
  // Opens and activates the handle and installs the filter. Errors are one
  // line naming the interface ("eth9: No such device exists", "eth0: bad BPF
  // filter 'tcp port': syntax error").
  static Result<std::unique_ptr<LiveCapture>> Open(const LiveOptions& options);
  ~LiveCapture();
  LiveCapture(const LiveCapture&) = delete;
  LiveCapture& operator=(const LiveCapture&) = delete;

  int link_type() const { return link_type_; }

  // Feeds packets to the analyzer until `stop`, `duration_ms` (0 = none)
  // or a capture error. `tick` (optional) runs at least every 200 ms of
  // wall time with the current time (Unix ms), for periodic flushes.
  Status Run(PassiveAnalyzer& analyzer, const std::atomic<bool>& stop, int64_t duration_ms,
             const std::function<void(int64_t)>& tick = {});

  // Counters so far, including the kernel's (pcap_stats).
  LiveStats Stats();

 private:
  LiveCapture(pcap_t* handle, std::string interface);

  pcap_t* handle_;
  std::string interface_;
  int link_type_ = -1;
  LiveStats stats_;
};

// Drops root for good: supplementary groups cleared, gid and uid set to
// `user`'s (default "nobody"), every capability cleared (libcap) and
// no_new_privs set. Not root: only capabilities are cleared. Verifies that
// uid 0 cannot be regained. Returns what was done, e.g. "uid 65534 (nobody)".
Result<std::string> DropPrivileges(const std::string& user);

}  // namespace ciiscope::scanner::passive
