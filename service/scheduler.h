#pragma once
// When scheduled jobs are due (docs/config.md "Schedules", "Key periods").
// Pure: the caller passes the time (an injected clock) and what ran last, so
// a simulated week runs in milliseconds.
//
// A schedule fires on its own cadence outside key periods. Inside a key
// period whose scope includes the schedule's profile (or is empty) and that
// overrides the cadence, it fires on the key period's cadence instead, and
// once at the period's start (the baseline run). After downtime, every
// firing missed since the last run collapses into one job (catch_up = true):
// a missed job runs once, not N times.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "service/config.h"

namespace ciiscope::service {

struct DueJob {
  std::string schedule;
  std::string profile;
  int64_t due_ms = 0;       // the (first missed) firing time
  int missed = 0;           // firings collapsed into this job beyond the first
  bool catch_up = false;    // due before this check's window (downtime)
  std::string key_period;   // non-empty when fired by a key period's cadence
  bool baseline = false;    // the run at a key period's start
};

class Scheduler {
 public:
  explicit Scheduler(Config config) : config_(std::move(config)) {}

  // The next firing of `schedule` strictly after after_ms; 0 if none.
  int64_t NextFire(const Schedule& schedule, int64_t after_ms, std::string* key_period = nullptr,
                   bool* baseline = nullptr) const;

  // Jobs due at now_ms. last_ms holds, per schedule name, the time up to
  // which firings were handled; a schedule never seen starts at now_ms (no
  // history is invented). Updated to now_ms for every schedule checked.
  // `grace_ms`: a firing less than this old is on time, older is catch-up.
  std::vector<DueJob> Due(int64_t now_ms, std::map<std::string, int64_t>& last_ms,
                          int64_t grace_ms = 60000) const;

  // The earliest next firing over all schedules after now_ms (0 if none).
  int64_t NextWake(int64_t now_ms) const;

  const Config& config() const { return config_; }
  // The key period in force for a profile at t, or nullptr.
  const KeyPeriod* ActiveKeyPeriod(const std::string& profile, int64_t t_ms) const;

 private:
  Config config_;
};

// Next time after after_ms on a cadence (cron in its zone, or `every`
// aligned to the Unix epoch); 0 if none.
int64_t NextOnCadence(const Cadence& cadence, int64_t after_ms);

}  // namespace ciiscope::service
