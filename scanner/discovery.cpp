#include "scanner/discovery.h"

#include <algorithm>
#include <mutex>
#include <spdlog/spdlog.h>
#include <unordered_map>

#include "scanner/connect_engine.h"
#include "scanner/discovery_methods.h"
#include "scanner/evidence.h"

namespace ciiscope::scanner {
namespace {

// Keeps only the connect sweep's host_up verdicts (the ping ports' own
// states are not scan results).
class PingSink : public inventory::EvidenceSink {
 public:
  PingSink(const std::vector<Target>& targets, std::vector<bool>& up) : up_(up) {
    for (size_t i = 0; i < targets.size(); ++i) index_.emplace(targets[i].address.ToString(), i);
  }
  void Record(inventory::Observation obs) override {
    if (obs.kind != "host_up") return;
    std::lock_guard lock(mu_);
    auto it = index_.find(obs.address);
    if (it != index_.end() && !up_[it->second]) {
      up_[it->second] = true;
      ++found_;
    }
  }
  void Flush() override {}
  size_t found() const { return found_; }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, size_t> index_;
  std::vector<bool>& up_;
  size_t found_ = 0;
};

void RecordUp(const std::vector<Target>& targets, const std::vector<bool>& before,
              const std::vector<bool>& after, const char* reason, inventory::EvidenceSink& sink) {
  for (size_t i = 0; i < targets.size(); ++i) {
    if (after[i] && !before[i]) {
      auto obs = MakeObservation(targets[i], 0, "host_up");
      obs.data_json = std::string(R"({"reason":")") + reason + "\"}";
      sink.Record(std::move(obs));
    }
  }
}

}  // namespace

size_t DiscoveryResult::up_count() const { return static_cast<size_t>(std::count(up.begin(), up.end(), true)); }

Result<DiscoveryResult> DiscoverHosts(const std::vector<Target>& targets, const DiscoveryOptions& options,
                                      inventory::EvidenceSink& sink, const std::atomic<bool>& stop) {
  if (options.timeout.count() <= 0) return Error(ErrorCode::kInvalidArgument, "discovery timeout must be positive");
  DiscoveryResult result;
  result.up.assign(targets.size(), false);
  auto all_up = [&] { return std::all_of(result.up.begin(), result.up.end(), [](bool b) { return b; }); };

  // ARP first: on a local segment it is the most reliable (firewalls do not
  // stop it) and cheapest; then ICMP; TCP last for whatever is left.
  if (options.arp && !targets.empty()) {
    auto before = result.up;
    if (auto n = ArpPing(targets, result.up, options.timeout, stop)) {
      result.by_arp = *n;
      RecordUp(targets, before, result.up, "arp-reply", sink);
    }
  }
  if (options.icmp && !all_up() && !stop.load()) {
    auto before = result.up;
    if (auto n = IcmpEchoPing(targets, result.up, options.timeout, stop)) {
      result.by_icmp = *n;
      RecordUp(targets, before, result.up, "icmp-echo", sink);
    } else {
      spdlog::info("host discovery: no ICMP echo (needs root or CAP_NET_RAW); TCP ping only");
    }
  }
  if (!options.tcp_ports.empty() && !all_up() && !stop.load()) {
    std::vector<Target> left;
    for (size_t i = 0; i < targets.size(); ++i) {
      if (!result.up[i]) left.push_back(targets[i]);
    }
    auto before = result.up;
    PingSink ping(targets, result.up);
    ScanOptions scan;
    scan.ports = core::PortList::Of(options.tcp_ports);
    scan.concurrency = options.concurrency;
    scan.rate = options.rate;
    scan.retries = 0;
    scan.connect_timeout = options.timeout;
    scan.service_probes = false;
    scan.seed = 1;
    CII_ASSIGN_OR_RETURN(ScanStats stats, MakeConnectEngine()->Run(left, scan, ping, stop, nullptr));
    (void)stats;
    result.by_tcp = ping.found();
    RecordUp(targets, before, result.up, "tcp-ping", sink);
  }
  sink.Flush();
  return result;
}

}  // namespace ciiscope::scanner
