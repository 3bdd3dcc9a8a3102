#pragma once
// Drill monitoring over passively seen packets (issue 5): who is attacking
// what. Fed by the PassiveAnalyzer; emits events as soon as they are seen:
//
//  port-scan       one source touched >= port_threshold distinct ports of one
//                  monitored target within window_ms (TCP SYNs without ACK
//                  and UDP datagrams to ports below 1024 from higher ports).
//  host-sweep      one source touched >= host_threshold distinct monitored
//                  targets within window_ms (the same, plus ICMP echo requests).
//  forbidden-port  a monitored host accepted a TCP connection (SYN-ACK) on a
//                  port policy says must be closed (once per client, server, port).
//  new-service     a monitored host served on (address, transport, port) that
//                  is not in the known-services baseline (once per service).
//
// Windows are tumbling per source (or per source and target), starting at
// the first touch; each crossing is reported once per window, so a scan that
// goes on gives one event per window. State is bounded by max_tracked: once
// full, new sources are counted in `untracked` and not followed.

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/net.h"
#include "inventory/model/monitor_event.h"
#include "scanner/passive/packet_decoder.h"

namespace ciiscope::scanner::passive {

struct MonitorConfig {
  std::vector<core::Cidr> ranges;  // monitored targets; empty = every address
  int64_t window_ms = 60'000;
  size_t port_threshold = 20;
  size_t host_threshold = 20;
  std::vector<uint16_t> forbidden_tcp_ports;  // sorted
  bool new_services = true;
  size_t max_tracked = 1u << 16;  // sources, (source, target) pairs, dedup keys each
};

struct MonitorStats {
  uint64_t events = 0;
  uint64_t untracked = 0;  // touches not followed because state was full
};

class Monitor {
 public:
  using EmitFn = std::function<void(inventory::MonitorEvent)>;
  Monitor(MonitorConfig config, EmitFn emit);

  // Services known before this capture ("ADDRESS|tcp|PORT"); not reported new.
  void AddKnownService(const std::string& address, const std::string& transport, uint16_t port);

  // Every decoded IP packet (not fragments).
  void OnPacket(const DecodedPacket& p, int64_t ms);
  // A service seen serving for the first time in this capture.
  void OnService(const IpAddr& addr, uint8_t protocol, uint16_t port, const char* reason,
                 int64_t ms);

  bool Monitored(const IpAddr& addr) const;
  const MonitorStats& stats() const { return stats_; }

 private:
  struct PairKey {
    IpAddr src, dst;
    bool operator==(const PairKey&) const = default;
  };
  struct PairKeyHash {
    size_t operator()(const PairKey& k) const noexcept;
  };
  struct Window {
    int64_t start = 0, first = 0;
    std::vector<uint16_t> ports;  // distinct, capped at the threshold (pairs)
    std::vector<IpAddr> targets;  // distinct, capped at the threshold (sources)
    uint64_t touches = 0;
    bool reported = false;
  };

  void Touch(const IpAddr& src, const IpAddr& dst, uint16_t port, const char* transport,
             int64_t ms);
  void OnAccepted(const IpAddr& server, uint16_t port, const IpAddr& client, int64_t ms);
  bool Remember(std::unordered_set<std::string>& set, std::string key);
  void Emit(inventory::MonitorEvent e);
  template <typename Map>
  bool Room(Map& map, int64_t ms);

  MonitorConfig config_;
  EmitFn emit_;
  MonitorStats stats_;
  std::unordered_map<IpAddr, Window, IpAddrHash> sources_;
  std::unordered_map<PairKey, Window, PairKeyHash> pairs_;
  std::unordered_set<std::string> known_services_;
  std::unordered_set<std::string> reported_;  // forbidden-port and new-service keys
};

// Parses "10.0.0.0/8,192.168.1.0/24" (commas; each a CIDR or address).
Result<std::vector<core::Cidr>> ParseRanges(const std::vector<std::string>& specs);

}  // namespace ciiscope::scanner::passive
