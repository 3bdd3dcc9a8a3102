#pragma once
// The UDP prober (`scan -p U:53,161,123`, `--udp`): for every (target, UDP
// port) it sends the datagrams of the UDP probes for that port
// (scanner/probes/udp_probe.h) from a connected socket and classifies the
// port as nmap -sU does:
//   a datagram came back            → open (and the probes interpret it)
//   ICMP port unreachable           → closed  (seen as ECONNREFUSED)
//   other ICMP unreachable          → filtered (EHOSTUNREACH, ENETUNREACH, EACCES)
//   nothing after every retry       → open|filtered
// Bounded everywhere: at most `concurrency` sockets, `rate` datagrams per
// second, `retries` resends, an absolute deadline per (target, port) and per
// target, `datagram_cap` bytes kept per datagram (larger ones are marked
// truncated) and `max_datagrams` kept per port (the rest are drained and
// dropped). One thread; the stop flag is polled at least every 50 ms.
//
// Recorded: for an open port, port_state {"state": "open", "reason":
// "udp-response", "rtt_ms"} with transport "udp", one `probe` evidence per
// probe answer (the first of each name) and, when no probe understood the
// answer, {"probe": "udp-response", "text", "bytes", "truncated"}. Closed,
// filtered and open|filtered ports are counted, not recorded (like the TCP
// engines' closed and filtered ports).

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/result.h"
#include "inventory/model/observation.h"
#include "scanner/engine.h"
#include "scanner/probes/udp_probe.h"
#include "scanner/targets.h"

namespace ciiscope::scanner {

struct UdpScanOptions {
  std::vector<uint16_t> ports;  // required
  int concurrency = 256;        // (target, port) conversations in flight
  double rate = 0;              // attempts per second (0 = unlimited)
  int retries = 1;              // resends after a silent wait
  std::chrono::milliseconds wait{1000};  // silence after an attempt before a resend
  // After the first answer, how long to wait for the answers to the other
  // datagrams of the attempt (bounded by the port's deadline).
  std::chrono::milliseconds linger{200};
  // Absolute budget of all ports of one target, from its first datagram
  // (0 = none); ports not finished by then end as they stand.
  std::chrono::milliseconds target_timeout{0};
  size_t datagram_cap = 4096;
  size_t max_datagrams = 8;
};

struct UdpScanStats {
  uint64_t attempted = 0, open = 0, closed = 0, filtered = 0, open_filtered = 0;
  uint64_t datagrams_sent = 0, datagrams_received = 0, skipped = 0;
  bool interrupted = false;
  int64_t duration_ms = 0;
};

// Fails only on bad options. `progress` (may be empty) is called a few
// times a second and once at the end.
Result<UdpScanStats> RunUdpScan(const std::vector<Target>& targets, const UdpScanOptions& options,
                                const UdpProbeRegistry& probes, inventory::EvidenceSink& sink,
                                const std::atomic<bool>& stop,
                                const std::function<void(const ScanProgress&)>& progress);

}  // namespace ciiscope::scanner
