#pragma once
// Pacing of probes: the global --rate and the per-unit --unit-rate together.
//
// Every target may belong to a unit (the most specific registered CIDR of the
// units ledger that holds it; ScanOptions::target_unit); every unit may have
// a rate of its own (ScanOptions::unit_rates, probes/s, 0 = unlimited). A
// probe may go out only when the global bucket and its unit's bucket both
// hold a token, and it takes one from each. A probe whose unit is out of
// tokens is not sent in the order of the permutation but parked in a
// DeferredProbes queue (per unit, first in first out) while probes of other
// units go ahead; parked probes go first as soon as their unit has tokens.
//
// Retransmissions are probes too: they take tokens like first attempts.
//
// Not thread-safe: each sending thread owns a RateGate with its `share` of
// every rate (the connect engine's two sweepers get half each), so together
// they never exceed the rates. Time is passed in, never read, so tests drive
// it with a made-up clock.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "core/net.h"
#include "core/result.h"
#include "scanner/targets.h"
#include "scanner/token_bucket.h"

namespace ciiscope::scanner {

class RateGate {
 public:
  using Clock = TokenBucket::Clock;

  // `rate` = global probes/s (0 = unlimited); `unit_rates[u]` = unit u's
  // probes/s (0 = unlimited); both multiplied by `share` (0 < share <= 1).
  // Global bursts are up to 10 ms of tokens (large batches without
  // overshooting); a unit's burst is one probe per 100 of its rate, at
  // least one.
  RateGate(double rate, const std::vector<double>& unit_rates, double share, Clock::time_point now);

  // A token for a probe of `unit` (-1 = no unit: only the global one).
  // Takes from both buckets or from neither.
  bool TryTake(int32_t unit, Clock::time_point now);
  // True when the global bucket holds a token (takes none).
  bool GlobalReady(Clock::time_point now);
  // How long until TryTake(unit) can succeed (zero when it can now).
  Clock::duration Wait(int32_t unit, Clock::time_point now);
  // True when `unit` has a rate of its own.
  bool Limited(int32_t unit) const;
  bool any_unit_limited() const { return any_unit_limited_; }

 private:
  TokenBucket global_;
  std::vector<TokenBucket> units_;
  bool any_unit_limited_ = false;
};

// Probes parked because their unit was out of tokens: values (sweeper slots,
// permutation positions) in one FIFO queue per unit. Values pushed for one
// unit in increasing order stay increasing, so Min() looks at queue fronts
// only.
class DeferredProbes {
 public:
  using Clock = RateGate::Clock;

  void Push(int32_t unit, uint64_t value);
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Hands `send` every parked value whose unit has a token now (taking it),
  // the units in turn, until the global tokens run out. Returns how many.
  template <typename F>
  size_t Release(RateGate& gate, Clock::time_point now, F&& send) {
    size_t released = 0;
    for (size_t i = 0; i < active_.size() && gate.GlobalReady(now);) {
      Queue& q = queues_[static_cast<size_t>(active_[i] + 1)];
      while (!q.values.empty() && gate.TryTake(active_[i], now)) {
        uint64_t v = q.values.front();
        q.values.pop_front();
        --size_;
        ++released;
        send(v);
      }
      if (q.values.empty()) {
        q.active = false;
        active_[i] = active_.back();
        active_.pop_back();
      } else {
        ++i;
      }
    }
    return released;
  }
  // The shortest wait until some parked value can go (max() when none).
  Clock::duration Wait(RateGate& gate, Clock::time_point now) const;
  // The smallest parked value, if any.
  std::optional<uint64_t> Min() const;

 private:
  struct Queue {
    std::deque<uint64_t> values;
    bool active = false;
  };
  std::vector<Queue> queues_;    // by unit + 1 (0: no unit)
  std::vector<int32_t> active_;  // units with parked values
  size_t size_ = 0;
};

// The unit options of a scan make sense for `targets` targets: target_unit
// is empty or has one entry per target, each -1 or an index of unit_rates;
// rates >= 0.
Status ValidateUnitRates(const std::vector<int32_t>& target_unit, const std::vector<double>& unit_rates,
                         size_t targets);

// The unit of every target: the index in `unit_cidrs` of the unit whose CIDR
// holding the target is the most specific (longest prefix; the first unit on
// a tie), -1 when none holds it. Cost: targets × distinct prefix lengths.
std::vector<int32_t> AssignUnits(const std::vector<Target>& targets,
                                 const std::vector<std::vector<core::Cidr>>& unit_cidrs);

// One unit of the ledger as pacing sees it.
struct UnitPace {
  std::vector<core::Cidr> cidrs;
  double rate = 0;  // the unit's own rate (the ledger's `rate`, probes/s); 0 = none
};

// Per-unit pacing of a scan (ScanOptions::target_unit and unit_rates), from
// the ledger's unit rates and --unit-rate (`default_rate`, 0 = not given):
//   * a unit's rate is its own rate, capped at --unit-rate when both are set
//     (the stricter wins: neither the ledger nor the command line can raise
//     the other); a unit without a rate of its own gets --unit-rate; a unit
//     with neither does not pace anything;
//   * a target is paced by the most specific unit that paces (longest
//     prefix, as AssignUnits), so a department without a rate of its own
//     inside a school with one shares the school's bucket, while a
//     department with a rate of its own gets its own bucket.
// unit_rates is indexed like `units` (0 for units that pace nothing); both
// vectors stay empty when no unit paces anything.
struct UnitPacing {
  std::vector<int32_t> target_unit;
  std::vector<double> unit_rates;
};
UnitPacing PlanUnitPacing(const std::vector<Target>& targets, const std::vector<UnitPace>& units,
                          double default_rate);

}  // namespace ciiscope::scanner
