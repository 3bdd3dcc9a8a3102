#include "app/daemon.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <syslog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>
#include <thread>

#include "app/kind_reports.h"
#include "app/pipeline.h"
#include "app/scan_control.h"
#include "core/clock.h"
#include "core/text.h"
#include "inventory/store/store.h"
#include "inventory/store/trail.h"
#include "service/alert_select.h"
#include "service/config.h"
#include "service/keyperiod.h"
#include "service/scheduler.h"
#include "service/trail_policy.h"

namespace ciiscope::app {

namespace fs = std::filesystem;

namespace {

constexpr int kWaitSliceMs = 200;

// A log file that SIGHUP reopens (logrotate moves it away, then signals).
// Every line is flushed: a daemon's log is read while it runs.
class ReopenableFileSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit ReopenableFileSink(std::string path) : path_(std::move(path)) {}
  ~ReopenableFileSink() override {
    if (file_ != nullptr) std::fclose(file_);
  }
  Status Open() {
    std::lock_guard lock(mutex_);
    std::FILE* f = std::fopen(path_.c_str(), "ae");
    if (f == nullptr) {
      return Error(ErrorCode::kIo, "cannot open log file " + path_ + ": " + std::strerror(errno));
    }
    if (file_ != nullptr) std::fclose(file_);
    file_ = f;
    return Ok();
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (file_ == nullptr) return;
    spdlog::memory_buf_t buf;
    formatter_->format(msg, buf);
    std::fwrite(buf.data(), 1, buf.size(), file_);
    std::fflush(file_);
  }
  void flush_() override {
    if (file_ != nullptr) std::fflush(file_);
  }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
};

// Where the daemon's log lines go: a file, syslog or stderr.
class DaemonLog {
 public:
  Status Open(const std::string& level, const std::string& file, bool use_syslog) {
    auto lvl = spdlog::level::from_str(level);
    if (lvl == spdlog::level::off && level != "off") {
      return Error(ErrorCode::kInvalidArgument, "unknown log level '" + level + "'");
    }
    spdlog::sink_ptr sink;
    if (use_syslog) {
      sink = std::make_shared<spdlog::sinks::syslog_sink_mt>("ciiscope", LOG_PID, LOG_DAEMON, false);
    } else if (!file.empty()) {
      file_sink_ = std::make_shared<ReopenableFileSink>(file);
      CII_RETURN_IF_ERROR(file_sink_->Open());
      sink = file_sink_;
    } else {
      sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    }
    auto logger = std::make_shared<spdlog::logger>("ciiscope", sink);
    logger->set_level(lvl);
    logger->set_pattern(use_syslog ? "%l %v" : "%Y-%m-%dT%H:%M:%S.%e %l %v");
    spdlog::set_default_logger(logger);  // before any job thread exists
    return Ok();
  }
  // SIGHUP: the file is opened again by name (the logger itself stays).
  void Reopen() {
    if (!file_sink_) return;
    if (auto st = file_sink_->Open(); !st) spdlog::error("{}", st.error().message());
  }

 private:
  std::shared_ptr<ReopenableFileSink> file_sink_;
};

std::string Join(std::vector<std::string> items, const char* sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

// What one-job-per-scope serialises on: the profile's targets and units,
// so two profiles over the same networks never scan them at once.
std::string ScopeOf(const service::Profile& p) {
  auto targets = p.targets;
  auto units = p.units;
  std::sort(targets.begin(), targets.end());
  std::sort(units.begin(), units.end());
  std::string scope = Join(targets, ",");
  if (!units.empty()) scope += (scope.empty() ? "" : " ") + std::string("units:") + Join(units, ",");
  return scope;
}

// The profile's targets plus the registered ranges of its units.
Result<std::vector<std::string>> ProfileTargets(inventory::Store& store, const service::Profile& p) {
  std::vector<std::string> targets = p.targets;
  if (p.units.empty()) return targets;
  CII_ASSIGN_OR_RETURN(auto units, store.ListUnits());
  for (const auto& code : p.units) {
    auto it = std::find_if(units.begin(), units.end(), [&](const auto& u) { return u.code == code; });
    if (it == units.end()) {
      return Error(ErrorCode::kNotFound, "profile '" + p.name + "': unit " + code +
                                             " is not in the units ledger (`ciiscope units import`)");
    }
    if (it->cidrs.empty()) {
      return Error(ErrorCode::kNotFound, "profile '" + p.name + "': unit " + code + " has no registered ranges");
    }
    targets.insert(targets.end(), it->cidrs.begin(), it->cidrs.end());
  }
  return targets;
}

// The profile's rule packs (each folder loaded as --rules would), or the default.
Result<std::vector<rulelang::Rule>> LoadPacks(const Context& ctx, const service::Profile& p) {
  if (p.rule_packs.empty()) return LoadRules(ctx);
  std::vector<rulelang::Rule> all;
  for (const auto& dir : p.rule_packs) {
    Context pack = ctx;
    pack.global.rules_dir = dir;
    CII_ASSIGN_OR_RETURN(auto rules, LoadRules(pack));
    for (auto& r : rules) all.push_back(std::move(r));
  }
  return all;
}

Status WriteProfileReport(Context& ctx, inventory::Store& store, const service::Config& config,
                          const service::ReportSpec& spec, int64_t scan_id,
                          std::vector<std::string>& written) {
  if (spec.sign) {
    return Error(ErrorCode::kUnsupported,
                 "report sign: true is not supported by the daemon (no key in the configuration); "
                 "sign with `ciiscope report --sign KEY`");
  }
  std::string dir = spec.dir;
  if (dir.empty()) dir = (fs::path(config.path).parent_path() / "reports").string();
  if (dir.empty()) dir = "reports";
  if (!dir.ends_with("/")) dir += "/";
  std::vector<std::string> paths;
  if (spec.kind == "assessment") {
    CII_ASSIGN_OR_RETURN(paths, WriteReports(ctx, store, scan_id, {spec.format}, dir));
  } else {
    KindReportRequest request;
    // The configuration's "inventory" report is the asset ledger (台账).
    request.kind = spec.kind == "inventory" ? "ledger" : spec.kind;
    request.formats = {spec.format};
    request.out = dir;
    CII_ASSIGN_OR_RETURN(paths, WriteKindReports(ctx, store, request));
  }
  written.insert(written.end(), paths.begin(), paths.end());
  return Ok();
}

// The trail head in the log: a second witness besides <db>.trail-head
// (docs/trail.md), at start and after every job.
void LogTrailHead(inventory::Store& store) {
  auto id = inventory::LastAuditId(store);
  if (!id || *id == 0) return;
  auto rows = inventory::AuditSince(store, *id - 1, 1);
  if (rows && !rows->empty()) spdlog::info("trail head #{} {}", rows->front().id, rows->front().hash);
}

struct JobInput {
  Context ctx;  // a copy: its stop flag is the daemon's
  std::shared_ptr<const service::Config> config;
  inventory::Job job;
  int64_t resume_scan = 0;  // continue this interrupted scan instead of a new one
};

// A firing waiting for a slot, or an interrupted scan to resume.
struct Pending : service::DueJob {
  int64_t resume_scan = 0;
};

// scan → assess → alerts → reports. Fills job (scan id, counts, outcome when
// interrupted); an error is the job's failure.
Status ExecuteJob(JobInput& in, inventory::Store& store) {
  inventory::Job& job = in.job;
  const service::Config& cfg = *in.config;
  auto it = cfg.profiles.find(job.profile);
  if (it == cfg.profiles.end()) {
    return Error(ErrorCode::kNotFound, "profile '" + job.profile + "' is not in the configuration");
  }
  const service::Profile& p = it->second;
  ScanRequest request;
  if (in.resume_scan != 0) {
    request.resume_scan_id = in.resume_scan;  // targets and options come from the scan
  } else {
    CII_ASSIGN_OR_RETURN(request.targets, ProfileTargets(store, p));
    request.excludes = cfg.exclusions;
    request.ports = p.ports;
    request.engine = p.engine;
    request.profile = p.name;
    if (p.rate > 0) request.rate = p.rate;
    if (p.concurrency > 0) request.concurrency = p.concurrency;
  }
  CII_ASSIGN_OR_RETURN(auto rules, LoadPacks(in.ctx, p));
  request.rules = &rules;
  CII_ASSIGN_OR_RETURN(ScanSummary scan, RunScan(in.ctx, store, request));
  job.scan_id = scan.scan_id;
  spdlog::info("job {} ({}): {}", job.id, job.profile, DescribeScanLine(scan));
  if (scan.interrupted) {
    job.outcome = "interrupted";
    job.error = "scan " + std::to_string(scan.scan_id) + " checkpointed at shutdown; resume with `ciiscope scan --resume " +
                std::to_string(scan.scan_id) + "`";
    return Ok();
  }
  CII_ASSIGN_OR_RETURN(auto stats, RunAssess(in.ctx, store, scan.scan_id, rules));
  job.findings_new = static_cast<int64_t>(stats.findings_new);
  spdlog::info("job {} ({}): assess: {} service(s), {} finding(s), {} new", job.id, job.profile,
               stats.services, stats.findings_seen, stats.findings_new);

  service::AlertScope scope{scan.scan_id, p.name, job.key_period, core::NowMillis(), job.id};
  CII_ASSIGN_OR_RETURN(auto alerts, service::SelectAlerts(store, cfg, scope));
  // Inside a key period: what is new against its baseline (open services,
  // findings at or above its threshold, shadow assets), each once per period.
  // A new finding can be in both lists; one alert per key is enough.
  CII_ASSIGN_OR_RETURN(auto kp_alerts, service::KeyPeriodAlerts(store, cfg, scope.now_ms));
  for (auto& a : kp_alerts) {
    const bool dup = std::any_of(alerts.begin(), alerts.end(), [&](const service::Alert& b) {
      return b.kind == a.kind && b.target == a.target && b.rule == a.rule;
    });
    if (!dup) alerts.push_back(std::move(a));
  }
  CII_ASSIGN_OR_RETURN(auto sent, service::SendAlerts(store, cfg, scope, alerts));
  job.alerts_sent = sent.sent;
  for (const auto& e : sent.errors) spdlog::warn("job {} ({}): alert not delivered: {}", job.id, job.profile, e);
  if (!alerts.empty()) {
    spdlog::info("job {} ({}): alerts: {} sent, {} summarised (rate limit), {} failed", job.id, job.profile,
                 sent.sent, sent.summarised, sent.failed);
  }

  std::vector<std::string> written;
  for (const auto& spec : p.reports) {
    CII_RETURN_IF_ERROR(WriteProfileReport(in.ctx, store, cfg, spec, scan.scan_id, written));
  }
  for (const auto& path : written) spdlog::info("job {} ({}): report {}", job.id, job.profile, path);
  return Ok();
}

// Runs in a job thread: never throws, always closes the job row.
void RunJob(JobInput in) {
  inventory::Job& job = in.job;
  std::unique_ptr<inventory::Store> store;
  Status status = [&]() -> Status {
    CII_ASSIGN_OR_RETURN(store, OpenStore(in.ctx));
    try {
      return ExecuteJob(in, *store);
    } catch (const std::exception& e) {
      return Error(ErrorCode::kInternal, std::string("unexpected: ") + e.what());
    }
  }();
  if (!status) {
    const bool stopped = status.error().code() == ErrorCode::kInterrupted;
    job.outcome = stopped ? "interrupted" : "failed";
    job.error = core::Printable(core::SanitizeUtf8(status.error().message())).substr(0, 500);
  } else if (job.outcome == "running") {
    job.outcome = "done";
  }
  job.ended_at = core::NowMillis();
  if (job.outcome == "failed") {
    spdlog::error("job {} ({}) failed: {}", job.id, job.profile, job.error);
  } else {
    spdlog::info("job {} ({}) {} in {:.1f} s", job.id, job.profile, job.outcome,
                 static_cast<double>(job.ended_at - job.started_at) / 1000.0);
  }
  if (!store) return;  // the database could not be opened; the row stays running until the next start
  if (auto st = store->FinishJob(job); !st) spdlog::error("job {}: not recorded: {}", job.id, st.error().message());
  const std::string outcome = job.outcome == "done" ? "ok" : job.outcome + ": " + job.error;
  if (auto st = store->AppendAudit(Actor(in.ctx), "daemon job",
                                   service::ArgsDigest({job.schedule, job.profile, std::to_string(job.scheduled_for),
                                                        std::to_string(job.scan_id)}),
                                   outcome.substr(0, 200));
      !st) {
    spdlog::error("job {}: audit row not written: {}", job.id, st.error().message());
  }
  LogTrailHead(*store);
}

struct RunningJob {
  int64_t id = 0;
  std::string scope;
  std::thread thread;
  std::shared_ptr<std::atomic<bool>> done;
};

class Daemon {
 public:
  Daemon(Context& ctx, const DaemonOptions& options, service::Config config)
      : ctx_(ctx), options_(options), config_(std::make_shared<const service::Config>(std::move(config))),
        scheduler_(std::make_unique<service::Scheduler>(*config_)),
        started_lang_(config_->lang), started_rules_(config_->rules) {}

  Status Run(DaemonLog& log) {
    CII_ASSIGN_OR_RETURN(store_, OpenStore(ctx_));
    const RunnerId self = SelfRunner();
    CII_ASSIGN_OR_RETURN(int orphans, store_->CloseOrphanJobs(
                                          [](int64_t pid, int64_t start) { return RunnerAlive({pid, start}); },
                                          "the daemon running it ended without closing it", core::NowMillis()));
    if (orphans > 0) spdlog::warn("{} job(s) left running by an earlier daemon marked interrupted", orphans);
    CII_ASSIGN_OR_RETURN(auto state, store_->LoadScheduleState());
    for (const auto& [name, until] : state) last_[name] = until;
    CII_RETURN_IF_ERROR(QueueResumes());
    Audit("daemon start", "ok");
    LogTrailHead(*store_);
    spdlog::info("daemon started (pid {}): {} schedule(s), concurrency {}, database {}, configuration {}",
                 self.pid, config_->schedules.size(), config_->daemon_concurrency, ctx_.global.db,
                 config_->path);
    const int64_t started = core::NowMillis();
    const int64_t deadline = options_.run_for_ms > 0 ? started + options_.run_for_ms : 0;
    int64_t next_check = 0;
    sigset_t hup;
    sigemptyset(&hup);
    sigaddset(&hup, SIGHUP);
    std::string why = "stopped by signal";
    while (true) {
      int64_t now = core::NowMillis();
      if (ctx_.stop->load()) break;
      if (deadline != 0 && now >= deadline) {
        why = "--for elapsed";
        break;
      }
      if (now >= next_check) {
        CheckDue(now);
        next_check = scheduler_->NextWake(now);
        if (next_check == 0) next_check = now + 60000;
      }
      Reap();
      StartPending();
      timespec wait{0, kWaitSliceMs * 1000000L};
      if (sigtimedwait(&hup, nullptr, &wait) == SIGHUP) {
        log.Reopen();
        Reload();
        next_check = 0;
      }
    }
    spdlog::info("daemon stopping ({}): {} job(s) running, {} pending", why, running_.size(), pending_.size());
    stop_.store(true);
    for (auto& r : running_) r.thread.join();
    running_.clear();
    CancelPending();
    Audit("daemon stop", "ok");
    spdlog::info("daemon stopped");
    return Ok();
  }

 private:
  void Audit(const std::string& command, const std::string& outcome) {
    auto st = store_->AppendAudit(Actor(ctx_), command,
                                  service::ArgsDigest({command, config_->path, std::to_string(getpid())}),
                                  outcome.substr(0, 200));
    if (!st) spdlog::error("audit row '{}' not written: {}", command, st.error().message());
  }

  // Scans a stopped daemon checkpointed are resumed first, as jobs of their
  // schedule (newest job per scan decides; a scan resumed by hand is done).
  Status QueueResumes() {
    CII_ASSIGN_OR_RETURN(auto jobs, store_->ListJobs(1000));
    std::set<int64_t> seen;
    for (const auto& j : jobs) {
      if (j.scan_id == 0 || !seen.insert(j.scan_id).second || j.outcome != "interrupted") continue;
      CII_ASSIGN_OR_RETURN(auto scan, store_->GetScan(j.scan_id));
      if (!scan || scan->status != "interrupted" || config_->profiles.count(j.profile) == 0) continue;
      Pending p;
      p.schedule = j.schedule;
      p.profile = j.profile;
      p.due_ms = j.scheduled_for;
      p.key_period = j.key_period;
      p.resume_scan = j.scan_id;
      spdlog::info("job {} ({}): its scan {} was checkpointed; resuming it", j.id, j.profile, j.scan_id);
      pending_.push_back(std::move(p));
    }
    return Ok();
  }

  void CheckDue(int64_t now) {
    auto due = scheduler_->Due(now, last_);
    std::vector<std::pair<std::string, int64_t>> state(last_.begin(), last_.end());
    if (auto st = store_->SaveScheduleState(state); !st) {
      spdlog::error("schedule state not saved: {}", st.error().message());
    }
    for (auto& d : due) {
      if (d.catch_up) {
        spdlog::info("schedule {}: catching up a run missed at {} ({} more firing(s) folded in)", d.schedule,
                     core::FormatIsoTime(d.due_ms), d.missed);
      }
      auto same = std::find_if(pending_.begin(), pending_.end(),
                               [&](const Pending& p) { return p.schedule == d.schedule && p.resume_scan == 0; });
      if (same != pending_.end()) {
        same->missed += 1 + d.missed;  // still waiting for its scope: one run covers both
        continue;
      }
      Pending p;
      static_cast<service::DueJob&>(p) = std::move(d);
      pending_.push_back(std::move(p));
    }
  }

  void Reap() {
    for (auto it = running_.begin(); it != running_.end();) {
      if (it->done->load()) {
        it->thread.join();
        it = running_.erase(it);
      } else {
        ++it;
      }
    }
  }

  void StartPending() {
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (static_cast<int>(running_.size()) >= config_->daemon_concurrency) return;
      auto profile = config_->profiles.find(it->profile);
      if (profile == config_->profiles.end()) {
        spdlog::warn("schedule {}: profile {} is gone from the configuration; run dropped", it->schedule, it->profile);
        it = pending_.erase(it);
        continue;
      }
      const std::string scope = ScopeOf(profile->second);
      if (std::any_of(running_.begin(), running_.end(), [&](const RunningJob& r) { return r.scope == scope; })) {
        ++it;  // one job per scope: waits for the running one
        continue;
      }
      Start(*it, scope);
      it = pending_.erase(it);
    }
  }

  inventory::Job NewJob(const service::DueJob& d, const std::string& scope) const {
    inventory::Job job;
    job.schedule = d.schedule;
    job.profile = d.profile;
    job.scope = scope;
    job.key_period = d.key_period;
    job.scheduled_for = d.due_ms;
    job.catch_up = d.catch_up;
    job.missed = d.missed;
    job.started_at = core::NowMillis();
    const RunnerId self = SelfRunner();
    job.runner_pid = self.pid;
    job.runner_start = self.start;
    return job;
  }

  void Start(const Pending& d, const std::string& scope) {
    JobInput in{ctx_, config_, NewJob(d, scope), d.resume_scan};
    auto id = store_->CreateJob(in.job);
    if (!id) {
      spdlog::error("schedule {}: job not recorded, not run: {}", d.schedule, id.error().message());
      return;
    }
    in.job.id = *id;
    in.ctx.stop = &stop_;
    // A reloaded lang or rules applies unless the command line chose its own.
    if (!config_->lang.empty() && ctx_.global.lang == started_lang_) in.ctx.global.lang = config_->lang;
    if (!config_->rules.empty() && ctx_.global.rules_dir == started_rules_) in.ctx.global.rules_dir = config_->rules;
    spdlog::info("job {} ({}): started for schedule {} due {}{}", in.job.id, d.profile, d.schedule,
                 core::FormatIsoTime(d.due_ms),
                 d.resume_scan != 0 ? " (resuming scan " + std::to_string(d.resume_scan) + ")"
                 : d.catch_up      ? std::string(" (catch-up)")
                                   : std::string());
    auto done = std::make_shared<std::atomic<bool>>(false);
    RunningJob r{in.job.id, scope, {}, done};
    r.thread = std::thread([in = std::move(in), done]() mutable {
      RunJob(std::move(in));
      done->store(true);
    });
    running_.push_back(std::move(r));
  }

  void CancelPending() {
    for (const auto& d : pending_) {
      inventory::Job job = NewJob(d, "");
      job.outcome = "cancelled";
      job.ended_at = job.started_at;
      job.error = "the daemon stopped before this run could start";
      if (auto id = store_->CreateJob(job); !id) spdlog::error("cancelled run not recorded: {}", id.error().message());
    }
    pending_.clear();
  }

  // SIGHUP: a configuration that does not validate keeps the running one.
  void Reload() {
    const std::string& path = ctx_.global.config_path;
    auto fresh = service::LoadConfig(path);
    if (!fresh) {
      const std::string msg = core::Printable(core::SanitizeUtf8(fresh.error().message()));
      spdlog::error("configuration not reloaded, keeping the running one: {}", msg);
      Audit("config reload", "error: " + msg);
      return;
    }
    std::error_code ec1, ec2;
    if (!fresh->database.empty() &&
        fs::weakly_canonical(fresh->database, ec1) != fs::weakly_canonical(ctx_.global.db, ec2)) {
      spdlog::warn("configuration names database {}; the daemon keeps {} until restarted", fresh->database,
                   ctx_.global.db);
    }
    std::map<std::string, int64_t> kept;
    for (const auto& s : fresh->schedules) {
      if (auto it = last_.find(s.name); it != last_.end()) kept.insert(*it);
    }
    last_ = std::move(kept);
    config_ = std::make_shared<const service::Config>(std::move(*fresh));
    scheduler_ = std::make_unique<service::Scheduler>(*config_);
    Audit("config reload", "ok");
    spdlog::info("configuration reloaded: {} schedule(s), concurrency {}", config_->schedules.size(),
                 config_->daemon_concurrency);
  }

  Context& ctx_;
  const DaemonOptions& options_;
  std::shared_ptr<const service::Config> config_;
  std::unique_ptr<service::Scheduler> scheduler_;
  std::unique_ptr<inventory::Store> store_;
  std::map<std::string, int64_t> last_;
  std::deque<Pending> pending_;
  std::vector<RunningJob> running_;
  std::atomic<bool> stop_{false};
  std::string started_lang_, started_rules_;  // as the configuration said at start
};

}  // namespace

std::string DaemonLock::PathFor(const std::string& db_path) { return db_path + ".daemon.lock"; }

Result<DaemonLock> DaemonLock::Acquire(const std::string& db_path) {
  const std::string path = PathFor(db_path);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return Error(ErrorCode::kIo, "cannot open the daemon lock " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char buf[32] = {};
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    ::close(fd);
    if (err != EWOULDBLOCK) return Error(ErrorCode::kIo, "cannot lock " + path + ": " + std::strerror(err));
    long long pid = 0;
    if (n > 0) (void)std::from_chars(buf, buf + n, pid);
    return Error(ErrorCode::kIo, "another ciiscope daemon (pid " + std::to_string(pid) + ") is running on " +
                                     db_path + " (it holds " + path + ")");
  }
  const std::string pid = std::to_string(getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    ::close(fd);
    return Error(ErrorCode::kIo, "cannot write the daemon lock " + path + ": " + std::strerror(errno));
  }
  return DaemonLock(fd);
}

DaemonLock::~DaemonLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

Result<int64_t> ParseDuration(const std::string& text) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  std::string_view unit(p, static_cast<size_t>(text.data() + text.size() - p));
  const int64_t mult = unit.empty() || unit == "s" ? 1000 : unit == "m" ? 60000 : unit == "h" ? 3600000
                       : unit == "d" ? 86400000 : 0;
  if (ec != std::errc() || v < 1 || mult == 0 || v > 3660LL * 86400000 / mult) {
    return Error(ErrorCode::kInvalidArgument, "expected a duration like 30s, 15m, 2h or 1d, got '" + text + "'");
  }
  return v * mult;
}

Status RunDaemon(Context& ctx, const DaemonOptions& options) {
  // SIGHUP is taken by the main loop (sigtimedwait); job threads inherit the mask.
  sigset_t hup;
  sigemptyset(&hup);
  sigaddset(&hup, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &hup, nullptr);
  if (ctx.global.config_path.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "the daemon runs the schedules of a configuration: give --config FILE or put ciiscope.yaml here");
  }
  CII_ASSIGN_OR_RETURN(service::Config config, service::LoadConfig(ctx.global.config_path));
  if (config.schedules.empty()) {
    return Error(ErrorCode::kInvalidArgument, config.path + ": no schedules; the daemon would have nothing to run");
  }
  CII_ASSIGN_OR_RETURN(DaemonLock lock, DaemonLock::Acquire(ctx.global.db));
  DaemonLog log;
  const std::string file = !options.log_file.empty() ? options.log_file : config.daemon_log;
  CII_RETURN_IF_ERROR(log.Open(options.log_level.empty() ? "info" : options.log_level, file,
                               options.syslog || (options.log_file.empty() && config.daemon_syslog)));
  Daemon daemon(ctx, options, std::move(config));
  return daemon.Run(log);
}

}  // namespace ciiscope::app
