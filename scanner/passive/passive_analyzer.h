#pragma once
// Passive discovery: packets in, evidence out (DESIGN.md "passive" engine).
// The analyzer decodes each frame, keeps per-host counters and a flow table,
// reassembles the first bytes of each TCP direction and extracts what they
// show: services (SYN-ACKs, server payloads, DNS responders), TLS hellos and
// certificates, HTTP requests/responses, SSH banners, DNS answers, DHCP host
// names. Every observation carries "passive": true in its data.
//
// Contract: one thread calls OnPacket (timestamps need not be monotonic),
// then Finish once. App-level evidence is recorded to the sink as flows end;
// hosts and services are recorded by Finish (sorted, so output is stable).
// No per-packet heap allocation except when a flow or host is first seen or
// a stream buffer grows.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <vector>

#include "inventory/model/observation.h"
#include "scanner/passive/app_protocols.h"
#include "scanner/passive/flat_index.h"
#include "scanner/passive/flow_table.h"
#include "scanner/passive/packet_decoder.h"

namespace ciiscope::scanner::passive {

struct PassiveOptions {
  size_t flow_memory_cap = 64u << 20;  // flow table budget (entries + buffers)
  size_t stream_cap = 16 * 1024;       // reassembled bytes kept per direction
  size_t max_hosts = 1u << 20;         // distinct hosts tracked; more are counted only
  size_t max_evidence = 1u << 20;      // distinct app observations; more are counted only
};

struct PassiveStats {
  uint64_t packets = 0;
  uint64_t bytes = 0;            // captured bytes
  uint64_t decode_errors = 0;    // truncated or malformed headers
  uint64_t non_ip = 0;           // ARP, STP, … (not errors)
  uint64_t unsupported_link = 0; // frames of link types we do not decode
  uint64_t fragments = 0;
  uint64_t flows = 0;            // TCP/UDP flows created
  uint64_t flows_evicted = 0;    // pushed out by the memory cap
  uint64_t peak_flows = 0;
  uint64_t hosts = 0;            // distinct source hosts
  uint64_t hosts_dropped = 0;    // over max_hosts
  uint64_t services = 0;         // distinct (address, transport, port) seen serving
  uint64_t observations = 0;     // recorded to the sink
  uint64_t evidence_dropped = 0; // over max_evidence
  int64_t first_ms = 0, last_ms = 0;
};

// {"packets":…, "bytes":…, …} for the scan's stats column.
std::string PassiveStatsJson(const PassiveStats& s);

class Monitor;

class PassiveAnalyzer {
 public:
  PassiveAnalyzer(PassiveOptions options, inventory::EvidenceSink& sink);
  ~PassiveAnalyzer();
  PassiveAnalyzer(const PassiveAnalyzer&) = delete;
  PassiveAnalyzer& operator=(const PassiveAnalyzer&) = delete;

  // `ts_us`: capture time in Unix microseconds; `frame`: the captured bytes.
  void OnPacket(int link_type, int64_t ts_us, std::span<const std::byte> frame);
  // Ends every open flow and records hosts and services. Call once.
  void Finish();

  const PassiveStats& stats() const { return stats_; }
  // Drill monitoring (optional, not owned): sees every decoded packet and
  // every service when it is first seen.
  void SetMonitor(Monitor* monitor) { monitor_ = monitor; }

 private:
  struct HostInfo {
    IpAddr addr;
    int64_t first_ms = 0, last_ms = 0;
    uint64_t packets = 0, bytes = 0;
    std::array<uint8_t, 6> mac{};
    bool has_mac = false;
  };
  struct ServiceKey {
    IpAddr addr;
    uint8_t protocol;
    uint16_t port;
    bool operator==(const ServiceKey&) const = default;
  };
  struct ServiceKeyHash {
    size_t operator()(const ServiceKey& k) const noexcept;
  };
  struct ServiceInfo {
    ServiceKey key;
    const char* reason = "";  // a literal
    int64_t first_ms = 0;
  };
  struct FactHashHash {
    size_t operator()(size_t h) const noexcept { return h; }  // already a hash
  };

  // The host entry of addr (created if room is left), nullptr if not a host
  // or the table is full.
  HostInfo* HostFor(const IpAddr& addr, int64_t ms);
  void CountHost(HostInfo* host, const DecodedPacket& p, int64_t ms);
  void OnTcp(const DecodedPacket& p, int64_t ms);
  void OnUdp(const DecodedPacket& p, int64_t ms);
  void OnStreamBytes(Flow& flow, int d, std::string_view fresh, int64_t ms);
  void FinishFlow(Flow& flow, bool evicted);
  // Observations of a finished flow (each once per distinct set of facts).
  void EmitTls(const Flow& flow);
  void EmitHttp(const Flow& flow);
  void EmitSsh(const Flow& flow);
  void AddService(const IpAddr& addr, uint8_t protocol, uint16_t port, const char* reason,
                  int64_t ms);
  // True the first time these facts are seen (and room is left); callers
  // build the observation only then.
  bool IsNew(size_t fact_hash);
  void Emit(inventory::Observation obs);

  PassiveOptions options_;
  inventory::EvidenceSink& sink_;
  PassiveStats stats_;
  FlowTable flows_;
  DecodedPacket packet_;  // reused
  // Flat indexes into stable storage (flows keep HostInfo pointers).
  FlatIndex<IpAddr, IpAddrHash> host_index_;
  std::deque<HostInfo> hosts_;
  FlatIndex<ServiceKey, ServiceKeyHash> service_index_;
  std::vector<ServiceInfo> services_;
  FlatIndex<size_t, FactHashHash> seen_evidence_;
  std::vector<DnsAnswer> dns_answers_;  // reused
  Monitor* monitor_ = nullptr;
  bool finished_ = false;
};

}  // namespace ciiscope::scanner::passive
