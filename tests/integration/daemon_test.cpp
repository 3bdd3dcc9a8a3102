// `ciiscope daemon` as a process: a per-second schedule against the demo
// network on loopback (jobs, findings, alerts to a file and a loopback
// webhook), the lock against a second daemon, SIGTERM during a scan (job
// interrupted, scan resumable), SIGHUP with a broken configuration (kept,
// one line logged, the log file reopened), and catch-up after a restart.
// Network safety: every target is 127.86.0.0/16 or 127.0.0.1, on listeners
// these tests start (the demo network, silent listeners, the webhook).

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cli_runner.h"
#include "sql_rows.h"

extern char** environ;

namespace ciiscope::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// The daemon in the background, stdout/stderr to files; SIGKILLed if a test
// leaves it running.
class DaemonProcess {
 public:
  DaemonProcess(const std::vector<std::string>& args, const std::string& dir) : out_(dir + "/daemon.out") {
    std::vector<std::string> full = {CIISCOPE_BINARY};
    full.insert(full.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : full) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (posix_spawn(&pid_, CIISCOPE_BINARY, &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
  }
  ~DaemonProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  void Signal(int sig) { kill(pid_, sig); }
  // Exit code, or -signal; -100 if it did not end within timeout_s (then killed).
  int Wait(int timeout_s) {
    const auto end = Clock::now() + std::chrono::seconds(timeout_s);
    while (Clock::now() < end) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return -100;
  }
  std::string Output() const { return ReadFile(out_); }

 private:
  std::string out_;
  pid_t pid_ = -1;
};

bool WaitFor(int timeout_s, const std::function<bool()>& ready) {
  const auto end = Clock::now() + std::chrono::seconds(timeout_s);
  while (Clock::now() < end) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return ready();
}

int64_t SqlInt(const std::string& db, const std::string& sql) {
  auto rows = SqlRows(db, sql);
  return rows.empty() || rows[0].empty() || rows[0][0].empty() ? -1 : std::stoll(rows[0][0]);
}

int Listen(const std::string& addr, uint16_t* port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  inet_pton(AF_INET, addr.c_str(), &sa.sin_addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || listen(fd, 1024) != 0) {
    close(fd);
    return -1;
  }
  socklen_t len = sizeof sa;
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  *port = ntohs(sa.sin_port);
  return fd;
}

// A port on addr that nothing listens on: bound, then released.
uint16_t ClosedPort(const std::string& addr) {
  uint16_t port = 0;
  int fd = Listen(addr, &port);
  close(fd);
  return port;
}

// Loopback HTTP receiver: keeps each request's head and body, answers 200.
class WebhookReceiver {
 public:
  WebhookReceiver() {
    fd_ = Listen("127.0.0.1", &port_);
    thread_ = std::thread([this] { Serve(); });
  }
  ~WebhookReceiver() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  uint16_t port() const { return port_; }
  std::vector<std::string> Requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      std::string req;
      char buf[4096];
      const auto end = Clock::now() + std::chrono::seconds(3);
      while (Clock::now() < end && req.size() < (1 << 20)) {
        pollfd q{c, POLLIN, 0};
        if (poll(&q, 1, 100) <= 0) continue;
        ssize_t n = read(c, buf, sizeof buf);
        if (n <= 0) break;
        req.append(buf, static_cast<size_t>(n));
        size_t head = req.find("\r\n\r\n");
        if (head == std::string::npos) continue;
        size_t cl = req.find("Content-Length: ");
        size_t len = cl == std::string::npos ? 0 : std::stoul(req.substr(cl + 16));
        if (req.size() >= head + 4 + len) break;
      }
      const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      (void)!write(c, ok.data(), ok.size());
      close(c);
      std::lock_guard lock(mu_);
      requests_.push_back(req);
    }
  }

  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> requests_;
};

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("daemon-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    db_ = dir_ + "/inventory.db";
    config_ = dir_ + "/ciiscope.yaml";
  }
  void TearDown() override {
    std::error_code ec;
    if (!::testing::Test::HasFailure()) fs::remove_all(dir_, ec);
  }

  // A configuration with one profile and a per-second schedule.
  std::string Config(const std::vector<std::string>& targets, const std::string& ports,
                     const std::string& extra = "", const std::string& every = "1s") {
    std::string t;
    for (const auto& a : targets) t += (t.empty() ? "" : ", ") + a;
    return "database: " + db_ + "\nlang: en\nprofiles:\n  p:\n    targets: [" + t + "]\n    ports: \"" + ports +
           "\"\nschedules:\n  - {name: tick, profile: p, every: " + every + "}\n" + extra;
  }

  // Runs the daemon against silent listeners on BASE.1-4 (handshakes
  // complete, nothing is ever said, so service probes wait for their
  // deadline and the scan is still running), SIGTERMs it mid-scan, checks
  // the job is recorded interrupted, closes the listeners and switches the
  // schedule to hourly. Returns the scan id ("" on failure).
  std::string InterruptAScan(const std::string& base) {
    std::vector<int> fds;
    std::vector<std::string> addrs;
    std::set<uint16_t> port_set;
    for (int h = 1; h <= 4; ++h) {
      const std::string addr = base + "." + std::to_string(h);
      addrs.push_back(addr);
      for (int k = 0; k < 3; ++k) {
        uint16_t port = 0;
        int fd = Listen(addr, &port);
        EXPECT_GE(fd, 0);
        fds.push_back(fd);
        port_set.insert(port);
      }
    }
    std::string ports;
    for (uint16_t p : port_set) ports += (ports.empty() ? "" : ",") + std::to_string(p);
    WriteFile(config_, Config(addrs, ports));
    {
      DaemonProcess daemon = Start();
      EXPECT_TRUE(WaitFor(60, [&] { return SqlInt(db_, "SELECT COUNT(*) FROM scan_progress") >= 1; }))
          << ReadFile(dir_ + "/daemon.log") << daemon.Output();
      std::this_thread::sleep_for(std::chrono::milliseconds(800));
      daemon.Signal(SIGTERM);
      EXPECT_EQ(daemon.Wait(60), 0) << daemon.Output();
    }
    for (int fd : fds) close(fd);
    WriteFile(config_, Config(addrs, ports, "", "1h"));
    auto rows = SqlRows(db_, "SELECT outcome, COALESCE(scan_id, 0), error FROM jobs WHERE outcome != 'cancelled' ORDER BY id");
    EXPECT_EQ(rows.size(), 1u) << ReadFile(dir_ + "/daemon.log");
    if (rows.size() != 1) return "";
    EXPECT_EQ(rows[0][0], "interrupted") << rows[0][2];
    const std::string scan = rows[0][1];
    EXPECT_NE(scan, "0");
    EXPECT_NE(rows[0][2].find("--resume " + scan), std::string::npos) << rows[0][2];
    EXPECT_EQ(SqlRows(db_, "SELECT status FROM scans WHERE id = " + scan)[0][0], "interrupted");
    return scan == "0" ? "" : scan;
  }

  DaemonProcess Start(const std::vector<std::string>& more = {}) {
    std::vector<std::string> args = {"--config", config_, "daemon", "--log", dir_ + "/daemon.log"};
    args.insert(args.end(), more.begin(), more.end());
    return DaemonProcess(args, dir_);
  }

  std::string dir_, db_, config_;
};

TEST_F(DaemonTest, RunsTheScheduleAgainstTheDemoNetworkAndAlerts) {
  const std::string state = dir_ + "/demo";
  const std::string base = "127.86.11";
  auto up = RunCli({"demo", "--state-dir", state, "--base", base, "up"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  struct Down {
    std::string state, base;
    ~Down() { RunCli({"demo", "--state-dir", state, "--base", base, "down"}); }
  } down{state, base};
  json manifest = json::parse(ReadFile(state + "/manifest.json"));
  std::set<std::string> addrs;
  std::string ports;
  for (const auto& s : manifest["services"]) {
    addrs.insert(s["address"].get<std::string>());
    ports += (ports.empty() ? "" : ",") + std::to_string(s["port"].get<int>());
  }
  WebhookReceiver hook;
  WriteFile(config_, Config({addrs.begin(), addrs.end()}, ports,
                            "alerts:\n  threshold: low\n  sinks:\n    - {type: file, path: " + dir_ +
                                "/alerts.jsonl}\n    - {type: webhook, url: \"http://127.0.0.1:" +
                                std::to_string(hook.port()) +
                                "/hook\", secret: s3cret, timeout_ms: 3000, retries: 1}\n"));
  DaemonProcess daemon = Start();
  ASSERT_GT(daemon.pid(), 0);
  const bool done = WaitFor(150, [&] {
    return SqlInt(db_, "SELECT COUNT(*) FROM jobs WHERE outcome = 'done'") >= 1 && !hook.Requests().empty();
  });
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(60), 0) << daemon.Output();
  const std::string log = ReadFile(dir_ + "/daemon.log");
  ASSERT_TRUE(done) << log << daemon.Output();

  auto jobs = RunCli({"--db", db_, "jobs", "list", "--json"});
  ASSERT_EQ(jobs.exit_code, 0) << jobs.err;
  json list = json::parse(jobs.out);
  ASSERT_FALSE(list.empty());
  json first_done;
  for (const auto& j : list) {
    if (j["outcome"] == "done" && first_done.is_null()) first_done = j;
  }
  ASSERT_FALSE(first_done.is_null()) << jobs.out;
  EXPECT_EQ(first_done["profile"], "p");
  EXPECT_EQ(first_done["schedule"], "tick");
  EXPECT_GT(first_done["scan_id"].get<int64_t>(), 0);
  EXPECT_GT(SqlInt(db_, "SELECT COUNT(*) FROM findings"), 0);
  EXPECT_GT(SqlInt(db_, "SELECT MAX(findings_new) FROM jobs"), 0);
  // One job per scope: no two jobs of the profile overlapped.
  EXPECT_EQ(SqlInt(db_, "SELECT COUNT(*) FROM jobs a JOIN jobs b ON a.id < b.id AND a.scope = b.scope "
                        "WHERE a.ended_at > b.started_at AND a.outcome != 'cancelled' AND b.outcome != 'cancelled'"),
            0);

  // The alert reached both sinks, in English, signed on the webhook.
  const std::string alerts = ReadFile(dir_ + "/alerts.jsonl");
  ASSERT_GT(LineCount(alerts), 0) << log;
  json a = json::parse(alerts.substr(0, alerts.find('\n')));
  EXPECT_EQ(a["lang"], "en");
  EXPECT_EQ(a["kind"], "new_finding");
  EXPECT_NE(a["target"].get<std::string>().find(base + "."), std::string::npos);
  const auto reqs = hook.Requests();
  ASSERT_FALSE(reqs.empty());
  EXPECT_EQ(reqs[0].rfind("POST /hook ", 0), 0u) << reqs[0];
  EXPECT_NE(reqs[0].find("X-Ciiscope-Signature: sha256="), std::string::npos) << reqs[0];
  // Later jobs see the same findings again: each alerts once.
  EXPECT_EQ(SqlInt(db_, "SELECT COUNT(*) FROM alerts_sent"),
            SqlInt(db_, "SELECT COUNT(DISTINCT alert_key) FROM alerts_sent"));
  EXPECT_EQ(static_cast<int64_t>(LineCount(alerts)),
            SqlInt(db_, "SELECT COUNT(*) FROM alerts_sent WHERE delivery = 'sent'"));

  // The trail holds the daemon's rows and still verifies.
  EXPECT_EQ(SqlInt(db_, "SELECT COUNT(*) FROM audit_log WHERE command = 'daemon start'"), 1);
  EXPECT_GE(SqlInt(db_, "SELECT COUNT(*) FROM audit_log WHERE command = 'daemon job'"), 1);
  EXPECT_EQ(SqlInt(db_, "SELECT COUNT(*) FROM audit_log WHERE command = 'daemon stop'"), 1);
  auto verify = RunCli({"--db", db_, "trail", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  // The log witnesses the head too (docs/trail.md).
  EXPECT_NE(log.find("trail head #1 "), std::string::npos) << log;
}

// Inside a key period the daemon also alerts what is new against the
// period's baseline (taken when the first job opened the inventory, before
// its scan): here every demo service is a new open service.
TEST_F(DaemonTest, InsideAKeyPeriodNewServicesAgainstTheBaselineAlert) {
  const std::string state = dir_ + "/demo";
  const std::string base = "127.86.18";
  auto up = RunCli({"demo", "--state-dir", state, "--base", base, "up"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  struct Down {
    std::string state, base;
    ~Down() { RunCli({"demo", "--state-dir", state, "--base", base, "down"}); }
  } down{state, base};
  json manifest = json::parse(ReadFile(state + "/manifest.json"));
  std::set<std::string> addrs;
  std::string ports;
  for (const auto& s : manifest["services"]) {
    addrs.insert(s["address"].get<std::string>());
    ports += (ports.empty() ? "" : ",") + std::to_string(s["port"].get<int>());
  }
  auto day = [](int offset) {
    const auto t = std::chrono::system_clock::now() + std::chrono::hours(24 * offset);
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[16];
    std::strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
    return std::string(buf);
  };
  WriteFile(config_, Config({addrs.begin(), addrs.end()}, ports,
                            "key_periods:\n  - name: drill-kp\n    from: " + day(-1) + "\n    to: " + day(1) +
                                "\n    timezone: UTC\n    overrides:\n      alert_threshold: critical\n"
                                "alerts:\n  threshold: critical\n  sinks:\n    - {type: file, path: " +
                                dir_ + "/alerts.jsonl}\n"));
  DaemonProcess daemon = Start();
  ASSERT_GT(daemon.pid(), 0);
  const bool done = WaitFor(150, [&] {
    return SqlInt(db_, "SELECT COUNT(*) FROM jobs WHERE outcome = 'done'") >= 1 &&
           LineCount(ReadFile(dir_ + "/alerts.jsonl")) > 0;
  });
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(60), 0) << daemon.Output();
  ASSERT_TRUE(done) << ReadFile(dir_ + "/daemon.log") << daemon.Output();
  EXPECT_EQ(SqlInt(db_, "SELECT COUNT(*) FROM keyperiod_baselines"), 1);
  const std::string alerts = ReadFile(dir_ + "/alerts.jsonl");
  std::set<std::string> targets;
  for (size_t at = 0; at < alerts.size();) {
    const size_t nl = alerts.find('\n', at);
    const std::string line = alerts.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
    at = nl == std::string::npos ? alerts.size() : nl + 1;
    if (line.empty()) continue;
    json a = json::parse(line);
    if (a["kind"] != "new_service") continue;
    EXPECT_EQ(a["key_period"], "drill-kp") << line;
    EXPECT_TRUE(targets.insert(a["target"].get<std::string>()).second) << "alerted twice: " << line;
  }
  // Every demo service alerted once as new against the (empty) baseline.
  EXPECT_EQ(targets.size(), manifest["services"].size()) << alerts;
}

TEST_F(DaemonTest, ASecondDaemonOnTheSameDatabaseRefuses) {
  WriteFile(config_, Config({"127.86.12.1"}, std::to_string(ClosedPort("127.86.12.1")), "", "1h"));
  DaemonProcess first = Start();
  ASSERT_GT(first.pid(), 0);
  const std::string lock = db_ + ".daemon.lock";
  ASSERT_TRUE(WaitFor(30, [&] { return ReadFile(lock) == std::to_string(first.pid()) + "\n"; }))
      << first.Output();
  auto second = RunCli({"--config", config_, "daemon", "--for", "5s", "--log", dir_ + "/second.log"});
  EXPECT_NE(second.exit_code, 0);
  EXPECT_EQ(LineCount(second.err), 1) << second.err;
  EXPECT_NE(second.err.find("pid " + std::to_string(first.pid())), std::string::npos) << second.err;
  EXPECT_NE(second.err.find(lock), std::string::npos) << second.err;
  first.Signal(SIGTERM);
  EXPECT_EQ(first.Wait(30), 0) << first.Output();
  // Once the first is gone the lock is free again.
  auto third = RunCli({"--config", config_, "daemon", "--for", "1s", "--log", dir_ + "/third.log"});
  EXPECT_EQ(third.exit_code, 0) << third.err;
}

TEST_F(DaemonTest, SigtermDuringAScanRecordsTheJobInterruptedAndTheScanResumes) {
  const std::string scan = InterruptAScan("127.86.13");
  ASSERT_FALSE(scan.empty());
  // The checkpointed scan resumes (listeners gone: it completes quickly).
  auto resumed = RunCli({"--db", db_, "scan", "--resume", scan, "--no-collect"}, "", 0, 120);
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(SqlRows(db_, "SELECT status FROM scans WHERE id = " + scan)[0][0], "done");
}

TEST_F(DaemonTest, ARestartedDaemonResumesTheCheckpointedScan) {
  const std::string scan = InterruptAScan("127.86.17");
  ASSERT_FALSE(scan.empty());
  DaemonProcess daemon = Start();
  ASSERT_TRUE(WaitFor(120, [&] {
    return SqlInt(db_, "SELECT COUNT(*) FROM jobs WHERE outcome = 'done' AND scan_id = " + scan) == 1;
  })) << ReadFile(dir_ + "/daemon.log");
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(60), 0) << daemon.Output();
  EXPECT_EQ(SqlRows(db_, "SELECT status FROM scans WHERE id = " + scan)[0][0], "done");
  EXPECT_NE(ReadFile(dir_ + "/daemon.log").find("resuming scan " + scan), std::string::npos);
}

TEST_F(DaemonTest, SighupWithABrokenConfigKeepsTheOldOneAndLogsOneLine) {
  const std::string addr = "127.86.14.1";
  const std::string good = Config({addr}, std::to_string(ClosedPort(addr)));
  WriteFile(config_, good);
  DaemonProcess daemon = Start();
  ASSERT_GT(daemon.pid(), 0);
  ASSERT_TRUE(WaitFor(60, [&] { return SqlInt(db_, "SELECT COUNT(*) FROM jobs WHERE ended_at > 0") >= 1; }))
      << ReadFile(dir_ + "/daemon.log") << daemon.Output();

  // logrotate: move the log away, then SIGHUP; the daemon reopens the file.
  fs::rename(dir_ + "/daemon.log", dir_ + "/daemon.log.1");
  WriteFile(config_, good + "daemon:\n  concurrency: lots\n");
  daemon.Signal(SIGHUP);
  ASSERT_TRUE(WaitFor(20, [&] { return ReadFile(dir_ + "/daemon.log").find("not reloaded") != std::string::npos; }))
      << ReadFile(dir_ + "/daemon.log.1");
  const int64_t jobs_then = SqlInt(db_, "SELECT COUNT(*) FROM jobs");
  std::string log = ReadFile(dir_ + "/daemon.log");
  int reload_lines = 0;
  for (size_t pos = 0; (pos = log.find("not reloaded", pos)) != std::string::npos; ++pos) ++reload_lines;
  EXPECT_EQ(reload_lines, 1) << log;
  const size_t at = log.find("not reloaded");
  const std::string line = log.substr(log.rfind('\n', at) + 1, log.find('\n', at) - log.rfind('\n', at) - 1);
  EXPECT_NE(line.find(" error "), std::string::npos) << line;
  EXPECT_NE(line.find(config_ + ":10:16: "), std::string::npos) << line;
  // The trail row follows the log line.
  EXPECT_TRUE(WaitFor(10, [&] {
    return SqlInt(db_, "SELECT COUNT(*) FROM audit_log WHERE command = 'config reload' AND outcome LIKE 'error:%'") == 1;
  }));
  // The old configuration keeps running.
  EXPECT_TRUE(WaitFor(30, [&] { return SqlInt(db_, "SELECT COUNT(*) FROM jobs") > jobs_then; }));

  // A good configuration is taken: a second profile appears in the jobs.
  WriteFile(config_, good + "  - {name: tock, profile: p, every: 1s}\n");
  daemon.Signal(SIGHUP);
  EXPECT_TRUE(WaitFor(30, [&] { return SqlInt(db_, "SELECT COUNT(*) FROM jobs WHERE schedule = 'tock'") >= 1; }))
      << ReadFile(dir_ + "/daemon.log");
  EXPECT_TRUE(WaitFor(10, [&] {
    return SqlInt(db_, "SELECT COUNT(*) FROM audit_log WHERE command = 'config reload' AND outcome = 'ok'") == 1;
  }));
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(60), 0) << daemon.Output();
}

TEST_F(DaemonTest, ARunMissedDuringDowntimeIsCaughtUpOnce) {
  const std::string addr = "127.86.15.1";
  WriteFile(config_, Config({addr}, std::to_string(ClosedPort(addr)), "", "2s"));
  {
    DaemonProcess daemon = Start();
    ASSERT_TRUE(WaitFor(60, [&] { return SqlInt(db_, "SELECT COUNT(*) FROM jobs WHERE ended_at > 0") >= 1; }))
        << ReadFile(dir_ + "/daemon.log");
    daemon.Signal(SIGTERM);
    ASSERT_EQ(daemon.Wait(60), 0) << daemon.Output();
  }
  const int64_t before = SqlInt(db_, "SELECT MAX(id) FROM jobs");
  std::this_thread::sleep_for(std::chrono::seconds(7));  // at least three firings missed
  DaemonProcess daemon = Start();
  ASSERT_TRUE(WaitFor(60, [&] {
    return SqlInt(db_, "SELECT COUNT(*) FROM jobs WHERE id > " + std::to_string(before)) >= 1;
  })) << ReadFile(dir_ + "/daemon.log");
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(60), 0) << daemon.Output();
  auto first = SqlRows(db_, "SELECT catch_up, missed FROM jobs WHERE id > " + std::to_string(before) +
                                " ORDER BY id LIMIT 1");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0][0], "1");
  EXPECT_GE(std::stoi(first[0][1]), 2);  // several firings, one job
  EXPECT_EQ(SqlInt(db_, "SELECT COUNT(*) FROM jobs WHERE catch_up = 1"), 1);
}

TEST_F(DaemonTest, WithoutSchedulesOrConfigurationItSaysSo) {
  WriteFile(config_, "database: " + db_ + "\n");
  auto r = RunCli({"--config", config_, "daemon", "--for", "1s"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(LineCount(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("no schedules"), std::string::npos) << r.err;
  fs::create_directory(dir_ + "/empty");  // no ./ciiscope.yaml there
  r = RunCli({"--db", db_, "daemon", "--for", "1s"}, dir_ + "/empty");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--config"), std::string::npos) << r.err;
  WriteFile(config_, Config({"127.86.16.1"}, "1", "", "1h"));
  r = RunCli({"--config", config_, "daemon", "--for", "soon"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("expected a duration"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ciiscope::testing
