#pragma once
// Host discovery (nmap's ping scan): which targets are up before the port
// sweep, so the sweep skips dead addresses. Three methods, each optional:
//   tcp   connect() to a few ports (80, 443, 22, 445, 3389 by default): an
//         established connection or a reset means the host is up. Needs no
//         privileges (nmap's unprivileged TCP ping).
//   icmp  ICMP echo through a raw socket, when the process may open one.
//   arp   ARP who-has through libpcap for IPv4 targets on the segment of a
//         local Ethernet interface, when the process may capture there.
// Every up host gets one host_up observation naming the method ("reason":
// "tcp-ping" | "icmp-echo" | "arp-reply"). Sends are bounded: one probe per
// target and method (TCP: per target and port), and every wait ends after
// options.timeout or within 100 ms of *stop.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

#include "core/result.h"
#include "inventory/model/observation.h"
#include "scanner/targets.h"

namespace ciiscope::scanner {

struct DiscoveryOptions {
  std::vector<uint16_t> tcp_ports = {80, 443, 22, 445, 3389};
  bool icmp = true;  // skipped silently without the privilege
  bool arp = true;   // skipped silently without the privilege or a local segment
  int concurrency = 512;
  double rate = 0;  // TCP connects/s; 0 = unlimited
  std::chrono::milliseconds timeout{1000};
};

struct DiscoveryResult {
  std::vector<bool> up;  // per target
  size_t by_tcp = 0, by_icmp = 0, by_arp = 0;
  size_t up_count() const;
};

// `sink` receives the host_up observations. Fails only on bad options.
Result<DiscoveryResult> DiscoverHosts(const std::vector<Target>& targets, const DiscoveryOptions& options,
                                      inventory::EvidenceSink& sink, const std::atomic<bool>& stop);

}  // namespace ciiscope::scanner
