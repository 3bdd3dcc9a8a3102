#pragma once
// The shared state of one port sweep (used by the connect engine's sweeper
// threads): which shard positions are claimed, which are in flight, the
// counters and the once-per-host evidence. Checkpoints are exact: a position
// is pending from Claim until Finish (or GiveBack), so a snapshot names
// everything in flight.
//
// Threads: Claim/GiveBack/Finish/Snapshot may be called from any thread;
// `slot` is owned by one caller at a time (the sweeper that claimed it, or
// the service probe it handed the slot to).

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "inventory/model/observation.h"
#include "scanner/engine.h"
#include "scanner/permutation.h"
#include "scanner/targets.h"

namespace ciiscope::scanner {

enum class PortState { kOpen, kClosed, kFiltered };

class SweepState {
 public:
  // `slots` = the most positions in flight at once. Resumes from
  // options.resume when set.
  SweepState(const std::vector<Target>& targets, const ScanOptions& options,
             inventory::EvidenceSink& sink, size_t slots);

  uint64_t total() const { return total_; }  // positions in this shard
  const std::vector<Target>& targets() const { return targets_; }
  const ScanOptions& options() const { return options_; }
  inventory::EvidenceSink& sink() { return sink_; }

  // The next position for `slot` (pending until Finish/GiveBack), or nullopt
  // when none is left.
  std::optional<uint64_t> Claim(size_t slot);
  // Puts the slot's position back to be claimed again (e.g. out of
  // descriptors); the slot becomes free.
  void GiveBack(size_t slot);
  // The slot's position is finished: counts it, records host_up (closed or
  // open) and port_state (open, with the round-trip time); the slot becomes
  // free — unless `keep_slot` (an open port handed to service probes, which
  // call Release when done).
  void Finish(size_t slot, PortState state, double rtt_ms, bool keep_slot = false);
  void Release(size_t slot);
  // Drops the slot's position without counting it (given up after many
  // attempts); the slot becomes free.
  void Abandon(size_t slot);

  struct Pair {
    size_t target_index;
    uint16_t port;
  };
  Pair PairAt(uint64_t position) const;
  // Position held by `slot` (only while claimed).
  uint64_t PositionOf(size_t slot) const { return slots_[slot].load(std::memory_order_relaxed); }

  SweepCheckpoint Snapshot();
  uint64_t done() const { return done_.load(); }
  uint64_t open() const { return open_.load(); }
  uint64_t closed() const { return closed_.load(); }
  uint64_t filtered() const { return filtered_.load(); }

 private:
  void RecordHostUp(size_t target_index);

  const std::vector<Target>& targets_;
  const ScanOptions& options_;
  inventory::EvidenceSink& sink_;
  Permutation order_;
  uint64_t total_;
  std::mutex claim_mu_;
  uint64_t next_ = 0;           // guarded by claim_mu_
  std::vector<uint64_t> redo_;  // guarded by claim_mu_; popped from the back
  std::vector<std::atomic<uint64_t>> slots_;
  std::atomic<uint64_t> done_{0}, open_{0}, closed_{0}, filtered_{0};
  std::unique_ptr<std::atomic<bool>[]> host_seen_;
};

}  // namespace ciiscope::scanner
