#pragma once
// The daemon's job history and sent alerts (migration 0006, docs/daemon.md).
// Plain structs; inventory/store persists them (store_jobs.cpp).

#include <cstdint>
#include <string>

namespace ciiscope::inventory {

struct Job {
  int64_t id = 0;
  std::string schedule;
  std::string profile;
  std::string scope;
  std::string key_period;
  int64_t scheduled_for = 0;
  bool catch_up = false;
  int64_t missed = 0;
  int64_t started_at = 0;
  int64_t ended_at = 0;
  std::string outcome = "running";  // running | done | failed | interrupted | cancelled
  int64_t scan_id = 0;              // 0 = no scan recorded
  int64_t findings_new = 0;
  int64_t alerts_sent = 0;
  std::string error;
  int64_t runner_pid = 0;
  int64_t runner_start = 0;
};

struct SentAlert {
  std::string key;
  std::string period;
  int64_t time = 0;
  std::string kind;
  std::string severity;
  std::string target;
  int64_t job_id = 0;
  std::string delivery;  // sent | summarised | failed
};

}  // namespace ciiscope::inventory
