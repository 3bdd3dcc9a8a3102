#include "scanner/connect_engine.h"

#include <sys/resource.h>

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/strand.hpp>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <spdlog/spdlog.h>
#include <latch>
#include <thread>

#include "scanner/connect_sweeper.h"
#include "scanner/probes/probe.h"
#include "scanner/rate_gate.h"
#include "scanner/sweep_state.h"

namespace ciiscope::scanner {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kSweeperThreads = 2;
constexpr std::chrono::milliseconds kPollInterval{50};
constexpr std::chrono::milliseconds kProgressInterval{250};
// After a stop, how long service conversations may take before they are abandoned.
constexpr std::chrono::milliseconds kStopGrace{800};
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

// The service conversation for one open port; gives the slot back when done
// (a conversation cut short by a stop stays pending and is redone on resume).
asio::awaitable<void> ProbeOpenPort(SweepState& state, const ProbeRegistry& probes,
                                    ConnectSweeper& sweeper, const std::atomic<bool>& stop,
                                    std::atomic<int>& probing, size_t slot, size_t local) {
  const auto pair = state.PairAt(state.PositionOf(slot));
  const ScanOptions& options = state.options();
  ProbeContext ctx;
  ctx.target = state.targets()[pair.target_index];
  ctx.port = pair.port;
  ctx.deadline = Clock::now() + options.service_timeout;
  ctx.banner_cap = options.banner_cap;
  ctx.body_cap = options.body_cap;
  ctx.stop = &stop;
  ctx.sink = &state.sink();
  if (!options.http_collect.empty()) ctx.http_collect = &options.http_collect;
  try {
    co_await ProbeService(probes, ctx);
  } catch (const std::exception& e) {
    spdlog::error("service probes {}:{}: {}", ctx.target.address.ToString(), ctx.port, e.what());
  }
  if (!stop.load()) state.Release(slot);
  sweeper.Return(local);
  probing.fetch_sub(1);
}

class ConnectEngine : public ScanEngine {
 public:
  std::string_view name() const override { return "connect"; }
  std::string_view description() const override {
    return "TCP connect() sweep (no privileges; io_uring or epoll), then service probes on open ports";
  }

  Result<ScanStats> Run(const std::vector<Target>& targets, const ScanOptions& options,
                        inventory::EvidenceSink& sink, const std::atomic<bool>& stop,
                        const std::function<void(const ScanProgress&)>& progress) override {
    CII_RETURN_IF_ERROR(ValidateScanOptions(options));
    CII_ASSIGN_OR_RETURN(ConnectIoKind io_kind, ParseConnectIoKind(options.io));
    CII_RETURN_IF_ERROR(ValidateUnitRates(options.target_unit, options.unit_rates, targets.size()));
    auto started = Clock::now();
    uint64_t pairs = static_cast<uint64_t>(targets.size()) * options.ports.size();
    uint64_t total = ShardSize(pairs, options.shard);

    rlim_t fd_limit = RaiseFileLimit();
    int concurrency = std::max(1, options.concurrency);
    if (fd_limit > kReservedFds * 2) {
      concurrency = static_cast<int>(std::min<rlim_t>(concurrency, fd_limit - kReservedFds));
    }
    concurrency = static_cast<int>(std::min<uint64_t>(concurrency, std::max<uint64_t>(total, 1)));
    const int threads = std::min(kSweeperThreads, concurrency);
    SweepState state(targets, options, sink, static_cast<size_t>(concurrency));
    ProbeRegistry probes;
    RegisterBuiltinProbes(probes);
    const uint64_t resumed_done = state.done();

    auto report = [&] {
      if (!progress) return;
      ScanProgress p;
      p.done = state.done();
      p.total = total;
      p.open = state.open();
      double seconds = std::chrono::duration<double>(Clock::now() - started).count();
      p.rate = seconds > 0 ? static_cast<double>(p.done - resumed_done) / seconds : 0;
      progress(p);
    };

    bool interrupted = false;
    Status failure = Ok();
    {
      // Declared after `state`: destroyed first, so abandoned probe frames
      // never outlive the state they point to. Its reactor is made now,
      // while descriptors are free (asio builds it lazily otherwise).
      asio::io_context io(1);
      {
        asio::ip::tcp::socket warm(io);
        asio::error_code ec;
        warm.open(asio::ip::tcp::v4(), ec);
        warm.close(ec);
      }
      auto guard = asio::make_work_guard(io);
      std::atomic<int> probing{0};
      std::thread probe_thread([&io] { io.run(); });

      std::latch backends_made(threads);
      std::vector<std::unique_ptr<ConnectSweeper>> sweepers;
      size_t first = 0;
      for (int t = 0; t < threads; ++t) {
        SweeperConfig config;
        config.first_slot = first;
        config.slots = static_cast<size_t>(concurrency / threads + (t < concurrency % threads ? 1 : 0));
        first += config.slots;
        config.share = 1.0 / threads;
        config.retries = options.retries;
        config.timeout = options.connect_timeout;
        config.io = io_kind;
        config.stop = &stop;
        config.backends_made = &backends_made;
        sweepers.push_back(std::make_unique<ConnectSweeper>(state, config));
      }
      for (auto& sweeper : sweepers) {
        ConnectSweeper* self = sweeper.get();
        sweeper->SetOnOpen([&, self](size_t slot, size_t local) {
          if (!options.service_probes) return false;
          probing.fetch_add(1);
          asio::co_spawn(asio::make_strand(io),
                         ProbeOpenPort(state, probes, *self, stop, probing, slot, local), asio::detached);
          return true;
        });
      }
      std::atomic<int> running{threads};
      std::mutex failure_mu;
      std::condition_variable finished;  // a sweeper ended (with failure_mu)
      std::vector<std::thread> workers;
      for (auto& sweeper : sweepers) {
        workers.emplace_back([&, s = sweeper.get()] {
          Status st = s->Run();
          std::lock_guard lock(failure_mu);
          if (!st) failure = st;
          running.fetch_sub(1);
          finished.notify_one();
        });
      }
      auto last_report = Clock::now();
      auto last_checkpoint = last_report;
      std::optional<Clock::time_point> stop_seen;
      while (running.load() > 0 || probing.load() > 0) {
        {
          // Woken early when the last sweeper ends: a sweep is not held up
          // by up to a poll interval at its end.
          std::unique_lock lock(failure_mu);
          finished.wait_for(lock, kPollInterval, [&] { return running.load() == 0 && probing.load() == 0; });
        }
        auto now = Clock::now();
        if (!stop_seen && stop.load()) stop_seen = now;
        if (stop_seen && now - *stop_seen > kStopGrace) break;
        if (now - last_report >= kProgressInterval) {
          report();
          last_report = now;
        }
        if (options.checkpoint && now - last_checkpoint >= options.checkpoint_interval) {
          // Snapshot first, then flush: everything finished before the
          // snapshot is durable before the checkpoint says so.
          SweepCheckpoint cp = state.Snapshot();
          sink.Flush();
          options.checkpoint(cp);
          last_checkpoint = now;
        }
      }
      for (auto& w : workers) w.join();
      guard.reset();
      if (stop.load()) io.stop();
      probe_thread.join();
      interrupted = stop.load();
      if (!sweepers.empty()) spdlog::debug("connect engine: {} sweeper(s) on {}", threads, sweepers[0]->io_name());
    }
    if (!failure) return std::move(failure).error();
    report();
    SweepCheckpoint final_cp = state.Snapshot();
    sink.Flush();
    if (options.checkpoint) options.checkpoint(final_cp);

    ScanStats stats;
    stats.open = state.open();
    stats.closed = state.closed();
    stats.filtered = state.filtered();
    stats.attempted = stats.open + stats.closed + stats.filtered;
    stats.interrupted = interrupted;
    stats.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    return stats;
  }
};

}  // namespace

std::unique_ptr<ScanEngine> MakeConnectEngine() { return std::make_unique<ConnectEngine>(); }

}  // namespace ciiscope::scanner
