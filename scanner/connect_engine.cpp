#include "scanner/connect_engine.h"

#include <sys/resource.h>

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/strand.hpp>
#include <asio/this_coro.hpp>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <optional>
#include <spdlog/spdlog.h>
#include <thread>

#include "scanner/evidence.h"
#include "scanner/probes/conversation.h"
#include "scanner/probes/probe.h"

namespace ciiscope::scanner {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kIoThreads = 2;
constexpr std::chrono::milliseconds kPollInterval{50};
constexpr std::chrono::milliseconds kProgressInterval{250};
// After a stop, how long in-flight work may take before it is abandoned.
constexpr std::chrono::milliseconds kStopGrace{800};
constexpr std::chrono::milliseconds kBackoff{50};
constexpr int kMaxBackoffs = 200;
// File descriptors kept free for the store, logs and the probes' extra needs.
constexpr rlim_t kReservedFds = 64;

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the soft limit.
rlim_t RaiseFileLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 1024;
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  return lim.rlim_cur;
}

bool IsLocalShortage(const std::error_code& ec) {
  return ec == asio::error::no_descriptors || ec == std::errc::too_many_files_open_in_system ||
         ec == asio::error::no_buffer_space || ec == std::errc::address_not_available;
}

enum class PortState { kOpen, kClosed, kFiltered, kAbandoned };

constexpr uint64_t kIdle = ~uint64_t{0};

// State shared by the workers of one Run. Workers claim shard positions
// under claim_mu and keep the position they work on in their slot until it
// is finished, so a checkpoint (also under claim_mu) knows exactly what is
// in flight.
struct Sweep {
  const std::vector<Target>& targets;
  const ScanOptions& options;
  inventory::EvidenceSink& sink;
  const std::atomic<bool>& stop;
  ProbeRegistry probes;
  Permutation order;
  uint64_t total;  // positions in this shard
  std::mutex claim_mu;
  uint64_t next = 0;           // guarded by claim_mu
  std::vector<uint64_t> redo;  // guarded by claim_mu: pending positions of a resumed scan
  std::vector<std::atomic<uint64_t>> slots;
  std::atomic<uint64_t> done{0}, open{0}, closed{0}, filtered{0};
  std::unique_ptr<std::atomic<bool>[]> host_seen;

  Sweep(const std::vector<Target>& t, const ScanOptions& o, inventory::EvidenceSink& s,
        const std::atomic<bool>& st, uint64_t pairs, size_t workers)
      : targets(t), options(o), sink(s), stop(st), order(pairs, o.seed),
        total(ShardSize(pairs, o.shard)), slots(workers),
        host_seen(new std::atomic<bool>[t.size()]) {
    for (size_t i = 0; i < t.size(); ++i) host_seen[i] = false;
    for (auto& slot : slots) slot = kIdle;
    if (o.resume) {
      next = std::min(o.resume->next, total);
      for (uint64_t p : o.resume->pending) {
        if (p < next) redo.push_back(p);
      }
      std::sort(redo.rbegin(), redo.rend());  // popped from the back: lowest first
      done = o.resume->done;
      open = o.resume->open;
      closed = o.resume->closed;
      filtered = o.resume->filtered;
    }
  }
  bool stopping() const { return stop.load(std::memory_order_relaxed); }

  // The next position for worker w, or nullopt when there is none left.
  std::optional<uint64_t> Claim(size_t w) {
    std::lock_guard<std::mutex> lock(claim_mu);
    uint64_t position;
    if (!redo.empty()) {
      position = redo.back();
      redo.pop_back();
    } else if (next < total) {
      position = next++;
    } else {
      return std::nullopt;
    }
    slots[w].store(position);
    return position;
  }

  SweepCheckpoint Snapshot() {
    std::lock_guard<std::mutex> lock(claim_mu);
    SweepCheckpoint cp;
    cp.next = next;
    cp.pending = redo;
    for (const auto& slot : slots) {
      uint64_t p = slot.load();
      if (p != kIdle) cp.pending.push_back(p);
    }
    std::sort(cp.pending.begin(), cp.pending.end());
    cp.done = done.load();
    cp.open = open.load();
    cp.closed = closed.load();
    cp.filtered = filtered.load();
    return cp;
  }
};

void RecordHostUp(Sweep& sweep, size_t target_index) {
  if (sweep.host_seen[target_index].exchange(true)) return;
  auto obs = MakeObservation(sweep.targets[target_index], 0, "host_up");
  obs.data_json = R"({"reason":"tcp-connect"})";
  sweep.sink.Record(std::move(obs));
}

void RecordOpen(Sweep& sweep, const Target& target, uint16_t port, double rtt_ms) {
  auto obs = MakeObservation(target, port, "port_state");
  obs.state = "open";
  char rtt[32];
  std::snprintf(rtt, sizeof(rtt), "%.1f", std::round(rtt_ms * 10) / 10);
  obs.data_json = std::string(R"({"state":"open","reason":"syn-ack","rtt_ms":)") + rtt + "}";
  sweep.sink.Record(std::move(obs));
}

// One connect attempt, retried while the machine is short of descriptors or
// local ports.
asio::awaitable<PortState> Probe(Sweep& sweep, const Target& target, uint16_t port, double* rtt_ms) {
  auto executor = co_await asio::this_coro::executor;
  auto endpoint = ToEndpoint(target.address, port);
  for (int attempt = 0; attempt <= kMaxBackoffs; ++attempt) {
    auto start = Clock::now();
    auto conv = Conversation::Create(executor, &sweep.stop, start + sweep.options.connect_timeout);
    std::error_code ec = co_await conv->Connect(endpoint);
    *rtt_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    bool expired = conv->expired();
    conv->Close();
    if (!ec) co_return PortState::kOpen;
    if (expired) co_return sweep.stopping() ? PortState::kAbandoned : PortState::kFiltered;
    if (ec == asio::error::connection_refused) co_return PortState::kClosed;
    if (!IsLocalShortage(ec)) co_return PortState::kFiltered;  // unreachable and the like
    if (sweep.stopping()) co_return PortState::kAbandoned;
    asio::steady_timer wait(executor, kBackoff);
    co_await wait.async_wait(kUseTuple);
  }
  spdlog::warn("connect {}:{}: still out of descriptors/ports after {} retries",
               target.address.ToString(), port, kMaxBackoffs);
  co_return PortState::kAbandoned;
}

asio::awaitable<void> Worker(Sweep& sweep, size_t w) {
  const auto& ports = sweep.options.ports.ports();
  try {
    while (!sweep.stopping()) {
      std::optional<uint64_t> position = sweep.Claim(w);
      if (!position) break;
      uint64_t pair = sweep.order(ShardPosition(*position, sweep.options.shard));
      size_t target_index = static_cast<size_t>(pair / ports.size());
      const Target& target = sweep.targets[target_index];
      uint16_t port = ports[pair % ports.size()];
      double rtt_ms = 0;
      PortState state = co_await Probe(sweep, target, port, &rtt_ms);
      switch (state) {
        case PortState::kAbandoned:
          if (sweep.stopping()) co_return;  // stays in its slot: pending, redone on resume
          sweep.slots[w] = kIdle;
          continue;
        case PortState::kClosed:
          sweep.closed.fetch_add(1, std::memory_order_relaxed);
          RecordHostUp(sweep, target_index);
          break;
        case PortState::kFiltered:
          sweep.filtered.fetch_add(1, std::memory_order_relaxed);
          break;
        case PortState::kOpen:
          sweep.open.fetch_add(1, std::memory_order_relaxed);
          RecordHostUp(sweep, target_index);
          RecordOpen(sweep, target, port, rtt_ms);
          if (sweep.options.service_probes) {
            ProbeContext ctx;
            ctx.target = target;
            ctx.port = port;
            ctx.deadline = Clock::now() + sweep.options.service_timeout;
            ctx.banner_cap = sweep.options.banner_cap;
            ctx.body_cap = sweep.options.body_cap;
            ctx.stop = &sweep.stop;
            ctx.sink = &sweep.sink;
            if (!sweep.options.http_collect.empty()) ctx.http_collect = &sweep.options.http_collect;
            co_await ProbeService(sweep.probes, ctx);
          }
          break;
      }
      // A conversation cut short by a stop is redone on resume.
      if (state == PortState::kOpen && sweep.stopping()) co_return;
      sweep.done.fetch_add(1, std::memory_order_relaxed);
      sweep.slots[w] = kIdle;
    }
  } catch (const std::exception& e) {
    spdlog::error("connect engine worker: {}", e.what());
  }
}

class ConnectEngine : public ScanEngine {
 public:
  std::string_view name() const override { return "connect"; }
  std::string_view description() const override {
    return "TCP connect() sweep (no privileges), then service probes on open ports";
  }

  Result<ScanStats> Run(const std::vector<Target>& targets, const ScanOptions& options,
                        inventory::EvidenceSink& sink, const std::atomic<bool>& stop,
                        const std::function<void(const ScanProgress&)>& progress) override {
    if (options.ports.size() == 0) {
      return Error(ErrorCode::kInvalidArgument, "no ports to scan (expected a port list such as 1-1024)");
    }
    if (options.connect_timeout.count() <= 0 || options.service_timeout.count() <= 0) {
      return Error(ErrorCode::kInvalidArgument, "timeouts must be positive");
    }
    if (options.shard.count == 0 || options.shard.index >= options.shard.count) {
      return Error(ErrorCode::kInvalidArgument, "bad shard (expected I/N with 1 <= I <= N)");
    }
    auto started = Clock::now();
    uint64_t pairs = static_cast<uint64_t>(targets.size()) * options.ports.size();
    uint64_t total = ShardSize(pairs, options.shard);

    rlim_t fd_limit = RaiseFileLimit();
    int concurrency = std::max(1, options.concurrency);
    if (fd_limit > kReservedFds * 2) {
      concurrency = static_cast<int>(std::min<rlim_t>(concurrency, fd_limit - kReservedFds));
    }
    concurrency = static_cast<int>(std::min<uint64_t>(concurrency, std::max<uint64_t>(total, 1)));
    Sweep sweep(targets, options, sink, stop, pairs, static_cast<size_t>(concurrency));
    RegisterBuiltinProbes(sweep.probes);
    const uint64_t resumed_done = sweep.done.load();

    auto report = [&] {
      if (!progress) return;
      ScanProgress p;
      p.done = sweep.done.load();
      p.total = total;
      p.open = sweep.open.load();
      double seconds = std::chrono::duration<double>(Clock::now() - started).count();
      p.rate = seconds > 0 ? static_cast<double>(p.done - resumed_done) / seconds : 0;
      progress(p);
    };

    bool interrupted = false;
    {
      // Declared after `sweep`: destroyed first, so abandoned coroutine
      // frames never outlive the state they point to.
      asio::io_context io(kIoThreads);
      {
        // Create the reactor (epoll, eventfd, timerfd) now, while descriptors
        // are free: asio builds it lazily on the first socket, and under
        // EMFILE that first socket races the workers for the last fds.
        asio::ip::tcp::socket warm(io);
        asio::error_code ec;
        warm.open(asio::ip::tcp::v4(), ec);
        warm.close(ec);
      }
      if (total > 0) {
        for (int w = 0; w < concurrency; ++w) {
          asio::co_spawn(asio::make_strand(io), Worker(sweep, static_cast<size_t>(w)),
                         asio::detached);
        }
      }
      std::atomic<int> running{kIoThreads};
      std::vector<std::thread> threads;
      for (int t = 0; t < kIoThreads; ++t) {
        threads.emplace_back([&io, &running] {
          io.run();
          running.fetch_sub(1);
        });
      }
      auto last_report = Clock::now();
      auto last_checkpoint = last_report;
      std::optional<Clock::time_point> stop_seen;
      while (running.load() > 0) {
        std::this_thread::sleep_for(kPollInterval);
        auto now = Clock::now();
        if (!stop_seen && stop.load()) stop_seen = now;
        if (stop_seen && now - *stop_seen > kStopGrace) io.stop();
        if (now - last_report >= kProgressInterval) {
          report();
          last_report = now;
        }
        if (options.checkpoint && now - last_checkpoint >= options.checkpoint_interval) {
          // Snapshot first, then flush: everything finished before the
          // snapshot is durable before the checkpoint says so.
          SweepCheckpoint cp = sweep.Snapshot();
          sink.Flush();
          options.checkpoint(cp);
          last_checkpoint = now;
        }
      }
      for (auto& t : threads) t.join();
      interrupted = stop.load();
    }
    report();
    SweepCheckpoint final_cp = sweep.Snapshot();
    sink.Flush();
    if (options.checkpoint) options.checkpoint(final_cp);

    ScanStats stats;
    stats.open = sweep.open.load();
    stats.closed = sweep.closed.load();
    stats.filtered = sweep.filtered.load();
    stats.attempted = stats.open + stats.closed + stats.filtered;
    stats.interrupted = interrupted;
    stats.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    return stats;
  }
};

}  // namespace

std::unique_ptr<ScanEngine> MakeConnectEngine() { return std::make_unique<ConnectEngine>(); }

}  // namespace ciiscope::scanner
