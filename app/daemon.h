#pragma once
// `ciiscope daemon` (docs/daemon.md): runs the workspace configuration's
// schedules through service::Scheduler. Each job is scan → assess → alerts →
// the profile's reports, recorded in the jobs table; one job per scope at a
// time, at most daemon.concurrency at once. SIGTERM/SIGINT checkpoint the
// running scans and exit 0 (the jobs are recorded as interrupted and the
// scans are resumable); SIGHUP reloads and re-validates the configuration
// and reopens the log file. A lock file next to the database keeps a second
// daemon off it.

#include <cstdint>
#include <string>

#include "app/context.h"
#include "core/result.h"

namespace ciiscope::app {

struct DaemonOptions {
  int64_t run_for_ms = 0;   // --for: stop after this long (0 = until a signal)
  std::string log_file;     // --log FILE (else daemon.log from the configuration)
  bool syslog = false;      // --syslog (or daemon.syslog)
  std::string log_level;    // --log-level when given, else info
};

Status RunDaemon(Context& ctx, const DaemonOptions& options);

// The lock a daemon holds on <db>.daemon.lock (flock, released by the kernel
// when the process ends). A second locker gets one line naming the holder's pid.
class DaemonLock {
 public:
  static Result<DaemonLock> Acquire(const std::string& db_path);
  DaemonLock(DaemonLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DaemonLock& operator=(DaemonLock&&) = delete;
  ~DaemonLock();
  static std::string PathFor(const std::string& db_path);

 private:
  explicit DaemonLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// "30s", "15m", "2h", "1d" or plain seconds, in milliseconds.
Result<int64_t> ParseDuration(const std::string& text);

}  // namespace ciiscope::app
