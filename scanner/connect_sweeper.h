#pragma once
// One thread's share of a connect sweep: claims positions from the shared
// SweepState for its slots, keeps up to `slots` non-blocking connects in
// flight through a ConnectIo backend (io_uring or epoll), paced by a token
// bucket, and tells open / closed / filtered apart:
//   connected            → open (then handed to service probes, if any)
//   refused (RST)        → closed
//   no answer in timeout → retried `retries` times, then filtered
//   unreachable (ICMP)   → filtered
// Running out of descriptors or local ports (EMFILE, ENFILE, ENOBUFS,
// EADDRNOTAVAIL) puts the position back and pauses briefly; it is never
// fatal. On stop, connects in flight are dropped and stay pending in the
// checkpoint.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <latch>
#include <mutex>
#include <optional>
#include <vector>

#include "core/result.h"
#include "scanner/connect_io.h"
#include "scanner/rate_gate.h"
#include "scanner/sweep_state.h"

namespace ciiscope::scanner {

struct SweeperConfig {
  size_t first_slot = 0;  // this sweeper owns SweepState slots [first_slot, first_slot + slots)
  size_t slots = 1;
  double share = 1;  // this sweeper's share of --rate and of the unit rates (ScanOptions)
  int retries = 1;
  std::chrono::milliseconds timeout{1000};
  ConnectIoKind io = ConnectIoKind::kAuto;
  const std::atomic<bool>* stop = nullptr;
  // When set, Run counts it down once its I/O backend is made (or failed)
  // and waits for the other sweepers' before opening any socket: the
  // backends' own descriptors (ring, epoll) come before a sweep can fill
  // a small descriptor table.
  std::latch* backends_made = nullptr;
  // An open port, already recorded (SweepState::Finish with keep_slot).
  // Returns true when a service probe took the slot over (it calls
  // ConnectSweeper::Return when done); false releases the slot now.
  std::function<bool(size_t slot, size_t local)> on_open;
};

class ConnectSweeper {
 public:
  ConnectSweeper(SweepState& state, SweeperConfig config) : state_(state), config_(std::move(config)) {}

  // Runs the sweep on the calling thread until nothing is left (or stop).
  // Fails only when the I/O backend cannot be set up.
  Status Run();
  // Before Run: sets config.on_open (it may need the sweeper itself).
  void SetOnOpen(std::function<bool(size_t slot, size_t local)> on_open) {
    config_.on_open = std::move(on_open);
  }
  // Any thread: the service probe holding `local` is finished with it.
  void Return(size_t local);
  const char* io_name() const { return io_name_.load(); }

 private:
  void Launch(uint32_t local);
  // Launches when the slot's unit (and the global rate) has a token, parks
  // the slot otherwise.
  void LaunchOrPark(uint32_t local, std::chrono::steady_clock::time_point now);
  int32_t UnitOf(uint32_t local) const;
  void Complete(uint32_t local, int error);

  SweepState& state_;
  SweeperConfig config_;
  std::unique_ptr<ConnectIo> io_;
  std::optional<RateGate> gate_;
  DeferredProbes parked_;  // slots waiting for their unit's tokens
  std::atomic<const char*> io_name_{"none"};
  struct Slot {
    std::chrono::steady_clock::time_point start;
    int attempt = 0;
  };
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
  size_t in_flight_ = 0;
  size_t handed_off_ = 0;
  int shortage_streak_ = 0;
  std::chrono::steady_clock::time_point pause_until_{};
  std::mutex returned_mu_;
  std::vector<uint32_t> returned_;  // guarded by returned_mu_
};

}  // namespace ciiscope::scanner
