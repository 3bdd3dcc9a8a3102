#pragma once
// Scan engines: walk targets × ports, record what answered. An engine is a
// plug-in (STYLE.md habit 3): a name, a description and a factory, registered
// explicitly with RegisterBuiltinEngines().

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ports.h"
#include "core/result.h"
#include "inventory/model/observation.h"
#include "scanner/collect_plan.h"
#include "scanner/permutation.h"
#include "scanner/targets.h"

namespace ciiscope::scanner {

// Where a sweep stands, in positions of its shard of the permutation:
// every position before `next` is finished except those in `pending` (in
// flight, or abandoned at a stop). Counters are cumulative over resumes.
struct SweepCheckpoint {
  uint64_t next = 0;
  std::vector<uint64_t> pending;
  uint64_t done = 0, open = 0, closed = 0, filtered = 0;
};

struct ScanOptions {
  core::PortList ports;  // required
  int concurrency = 256;  // max connections in flight
  double rate = 0;        // connects (probes) per second over all threads; 0 = unlimited
  // Per-unit pacing (scanner/rate_gate.h): target_unit[i] = the unit of
  // target i (an index of unit_rates) or -1; empty = no units. unit_rates[u]
  // = unit u's probes/s over all threads (0 = unlimited), within `rate`.
  std::vector<int32_t> target_unit;
  std::vector<double> unit_rates;
  int retries = 1;        // extra attempts for a port that did not answer in connect_timeout
  std::string io = "auto";  // connect engine's kernel interface: auto | uring | epoll
  // syn engine's IPv4 sender: raw (IP raw socket) | afpacket (Ethernet frames
  // on a packet socket where the next hop is Ethernet and resolved; the raw
  // socket elsewhere, e.g. loopback) | auto (= raw for now).
  std::string send = "auto";
  std::chrono::milliseconds connect_timeout{1500};
  std::chrono::milliseconds service_timeout{5000};  // absolute deadline per service conversation
  size_t banner_cap = 16 * 1024;
  size_t body_cap = 64 * 1024;
  bool service_probes = true;  // false = port sweep only
  HttpCollectPlan http_collect;  // extra HTTP paths from the rules' collect: blocks
  // Order: (target, port) pairs are walked in Permutation(targets × ports,
  // seed); only the shard's positions are scanned.
  uint64_t seed = 0;
  Shard shard;
  // Resume: start from this checkpoint instead of the beginning.
  std::optional<SweepCheckpoint> resume;
  // Called from the thread that called Run every checkpoint_interval and
  // once at the end (after everything finished was passed to the sink).
  std::function<void(const SweepCheckpoint&)> checkpoint;
  std::chrono::milliseconds checkpoint_interval{2000};
};

struct ScanProgress {
  uint64_t done = 0;   // (target, port) pairs finished (including earlier runs when resumed)
  uint64_t total = 0;  // pairs in the scan (its shard)
  uint64_t open = 0;
  double rate = 0;  // pairs per second so far
};

struct ScanStats {
  uint64_t attempted = 0, open = 0, closed = 0, filtered = 0;
  bool interrupted = false;
  int64_t duration_ms = 0;
};

// The checks every engine makes before sending: ports given, positive
// timeouts, a valid shard, rate >= 0, retries 0..10.
Status ValidateScanOptions(const ScanOptions& options);

// Contract: Run is called once per scan from one thread. Observations go to
// `sink` as they are made; Record() may be called from engine threads. `stop`
// is polled at least every 100 ms — when set, Run returns within ~1 s with
// interrupted=true and everything observed so far already passed to the sink.
// Run always ends with sink.Flush(). `progress` (may be empty) is called from
// the thread that called Run, a few times a second and once at the end.
// Closed/filtered ports are counted in the stats, not recorded; unreachable
// hosts are not errors. Run fails only on bad options.
class ScanEngine {
 public:
  virtual ~ScanEngine() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view description() const = 0;
  virtual Result<ScanStats> Run(const std::vector<Target>& targets, const ScanOptions& options,
                                inventory::EvidenceSink& sink, const std::atomic<bool>& stop,
                                const std::function<void(const ScanProgress&)>& progress) = 0;
};

// Name → factory. Not thread-safe for Register; Create/Names may be called
// concurrently once registration is done.
class EngineRegistry {
 public:
  using Factory = std::function<std::unique_ptr<ScanEngine>()>;

  // A later registration under the same name replaces the earlier one.
  void Register(std::string name, Factory factory);
  // nullptr when no engine has that name.
  std::unique_ptr<ScanEngine> Create(std::string_view name) const;
  // Registration order.
  std::vector<std::string> Names() const;
  bool Contains(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, Factory>> entries_;
};

// Registers "connect" and "syn".
void RegisterBuiltinEngines(EngineRegistry& registry);

}  // namespace ciiscope::scanner
