// The scan gates, sharding and resume through the real CLI. Network safety:
// every scan here targets 127.0.0.0/8 only; the refusal tests name other
// addresses but are refused before a scan is recorded or a packet is sent.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cli_runner.h"

namespace ciiscope::testing {
namespace {

namespace fs = std::filesystem;
using OpenSet = std::set<std::pair<std::string, int>>;

constexpr int kHosts = 8;
constexpr int kListenersPerHost = 3;

// A listening socket on addr:ephemeral; the kernel completes handshakes
// without accept(), and the silent server makes every probe wait for its
// deadline, which keeps the scan slow enough to interrupt.
int Listen(const std::string& addr, uint16_t* port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
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

class Db {
 public:
  explicit Db(const std::string& path) { sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr); }
  ~Db() { sqlite3_close_v2(db_); }
  int64_t Int(const std::string& sql, int64_t bind = 0) {
    sqlite3_stmt* stmt = nullptr;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
      if (bind != 0) sqlite3_bind_int64(stmt, 1, bind);
      if (sqlite3_step(stmt) == SQLITE_ROW) v = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
    return v;
  }
  OpenSet OpenPorts(int64_t scan_id) {
    OpenSet out;
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db_,
                       "SELECT DISTINCT a.address, s.port FROM evidence e JOIN assets a ON "
                       "a.id = e.asset_id JOIN services s ON s.id = e.service_id WHERE "
                       "e.scan_id = ? AND e.kind = 'port_state'",
                       -1, &stmt, nullptr);
    sqlite3_bind_int64(stmt, 1, scan_id);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      out.emplace(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)),
                  sqlite3_column_int(stmt, 1));
    }
    sqlite3_finalize(stmt);
    return out;
  }
  void Exec(const std::string& sql) { sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr); }

 private:
  sqlite3* db_ = nullptr;
};

void ExpectOneLineError(const CliResult& r, int code, const std::string& needle) {
  EXPECT_EQ(r.exit_code, code) << r.out << r.err;
  EXPECT_EQ(LineCount(r.err), 1) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
}

class ScanControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("scanctl");
    db_ = dir_ + "/c.db";
    // A random 127.x.y.0/24 per run, so parallel runs never see each other.
    std::mt19937 rng(static_cast<unsigned>(getpid()) ^ static_cast<unsigned>(time(nullptr)));
    base_ = "127." + std::to_string(10 + rng() % 200) + "." + std::to_string(1 + rng() % 250) + ".";
    std::set<int> ports;
    for (int h = 1; h <= kHosts; ++h) {
      for (int k = 0; k < kListenersPerHost; ++k) {
        uint16_t port = 0;
        int fd = Listen(base_ + std::to_string(h), &port);
        ASSERT_GE(fd, 0) << "cannot listen on " << base_ << h;
        fds_.push_back(fd);
        expected_.emplace(base_ + std::to_string(h), port);
        ports.insert(port);
      }
    }
    for (int k = 0; k < 4; ++k) {  // bound, then closed: refused everywhere
      uint16_t port = 0;
      int fd = Listen("127.0.0.1", &port);
      ASSERT_GE(fd, 0);
      close(fd);
      ports.insert(port);
    }
    for (int p : ports) ports_ += (ports_.empty() ? "" : ",") + std::to_string(p);
    port_count_ = ports.size();
  }
  void TearDown() override {
    for (int fd : fds_) close(fd);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::vector<std::string> Scan(std::vector<std::string> extra) {
    std::vector<std::string> args = {"--db",          db_,  "scan",          base_ + "1-" + std::to_string(kHosts),
                                     "-p",            ports_, "--concurrency", "2",
                                     "--timeout",     "1000", "--service-timeout", "400",
                                     "--seed",        "42",   "--checkpoint-every", "150",
                                     "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  // True once the newest scan has saved a checkpoint past its start. Opens
  // the database anew each time: the scan creates it.
  bool Checkpointed() const {
    if (!fs::exists(db_)) return false;
    Db db(db_);
    return db.Int("SELECT next_position FROM scan_progress WHERE scan_id = (SELECT MAX(id) FROM scans)") > 0;
  }
  static int64_t ScanId(const CliResult& r) {
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    return j.is_object() ? j.value("scan", int64_t{0}) : 0;
  }

  std::string dir_, db_, base_, ports_;
  size_t port_count_ = 0;
  std::vector<int> fds_;
  OpenSet expected_;
};

TEST_F(ScanControlTest, ReservedTargetsAreRefusedBeforeAnythingIsSent) {
  auto r = RunCli({"--db", db_, "scan", "127.0.0.1", "224.0.0.1", "169.254.169.254", "-p", "80"});
  ExpectOneLineError(r, 2, "224.0.0.1");
  EXPECT_NE(r.err.find("169.254.169.254"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--allow-reserved"), std::string::npos) << r.err;
  // The override does not bypass the authorization gate.
  r = RunCli({"--db", db_, "scan", "239.1.2.3", "-p", "80", "--allow-reserved"});
  ExpectOneLineError(r, 3, "not authorized");
  EXPECT_NE(r.err.find("239.1.2.3"), std::string::npos) << r.err;
  Db db(db_);
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM scans"), 0) << "a refused scan must not start";
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM evidence"), 0);
}

TEST_F(ScanControlTest, TargetsOutsideEveryAuthorizationAreRefused) {
  auto r = RunCli({"--db", db_, "audit", "127.0.0.1", "192.0.2.1", "198.51.100.0/29", "-p", "80",
                   "-o", dir_ + "/reports"});
  ExpectOneLineError(r, 3, "not authorized");
  EXPECT_NE(r.err.find("9 target(s)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("192.0.2.1, 198.51.100.0"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("and 4 more"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("127.0.0.1"), std::string::npos) << r.err;
  Db db(db_);
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM scans"), 0) << "a refused scan must not start";
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM evidence"), 0);
}

TEST_F(ScanControlTest, AuthAddListAndAuditTrail) {
  auto r = RunCli({"--db", db_, "--actor", "alice", "auth", "add", "--ref", "EDU-2026-017",
                   "--issuer", "Provincial Education Bureau", "--scope",
                   "10.20.0.0/16,portal.example.edu", "--from", "2026-01-01", "--to", "2099-12-31"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("EDU-2026-017"), std::string::npos) << r.out;
  r = RunCli({"--db", db_, "auth", "list", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto list = nlohmann::json::parse(r.out);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["reference"], "builtin-loopback");
  EXPECT_EQ(list[1]["issuer"], "Provincial Education Bureau");
  EXPECT_EQ(list[1]["scope"], nlohmann::json({"10.20.0.0/16", "portal.example.edu"}));
  EXPECT_EQ(list[1]["created_by"], "alice");
  EXPECT_EQ(list[1]["state"], "valid");
  Db db(db_);
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM audit_log WHERE command = 'auth add' AND actor = 'alice'"), 1);

  r = RunCli({"--db", db_, "auth", "add", "--ref", "x", "--issuer", "y", "--scope", "10.0.0.0/33",
              "--from", "2026-01-01", "--to", "2026-02-01"});
  ExpectOneLineError(r, 2, "10.0.0.0/33");
  r = RunCli({"--db", db_, "auth", "add", "--ref", "x", "--issuer", "y", "--scope", "10.0.0.0/8",
              "--from", "2026-13-01", "--to", "2026-02-01"});
  ExpectOneLineError(r, 2, "2026-13-01");
  r = RunCli({"--db", db_, "auth", "add", "--ref", "x", "--issuer", "y", "--scope", "10.0.0.0/8",
              "--from", "2026-03-01", "--to", "2026-02-01"});
  ExpectOneLineError(r, 2, "before");
}

TEST_F(ScanControlTest, ExpiredAuthorizationRefusesAndANewOneAllows) {
  ASSERT_EQ(RunCli({"--db", db_, "auth", "list"}).exit_code, 0);  // creates the database
  {
    Db db(db_);
    db.Exec("UPDATE authorizations SET valid_until = 1 WHERE document_ref = 'builtin-loopback'");
  }
  auto r = RunCli({"--db", db_, "scan", base_ + "1", "-p", ports_, "--no-probes"});
  ExpectOneLineError(r, 3, "not authorized");
  r = RunCli({"--db", db_, "auth", "add", "--ref", "LAB-1", "--issuer", "lab", "--scope",
              base_ + "0/24", "--from", "2020-01-01", "--to", "2099-01-01"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunCli({"--db", db_, "scan", base_ + "1", "-p", ports_, "--no-probes", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["open"], kListenersPerHost);
  r = RunCli({"--db", db_, "scan", "127.0.0.1", "-p", ports_, "--no-probes"});
  ExpectOneLineError(r, 3, "127.0.0.1");
}

// --unit-rate through the CLI: host 1 is unit "lab" (its /32, the most
// specific), hosts 2..8 only belong to "wide" (the /24), so the 7 x ports
// probes into "wide" go at most 60/s: the scan cannot end sooner than
// (7 x ports - 2 bursts) / 60 s (a lower bound: load only slows a scan). Same
// open set; the rate is recorded for --resume; bad values are one-line errors.
TEST_F(ScanControlTest, UnitRateHoldsBackTheMostSpecificUnit) {
  const std::string units = dir_ + "/units.csv";
  WriteFile(units, "id,parent,name,level,owner,contact,cidrs,domains\n"
                   "wide,,Wide,province,ops,ops@example.edu," + base_ + "0/24,\n"
                   "lab,wide,Lab,school,ops,ops@example.edu," + base_ + "1/32,\n");
  auto imported = RunCli({"--db", db_, "units", "import", units});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  auto start = std::chrono::steady_clock::now();
  auto r = RunCli(Scan({"--no-probes", "--no-ping", "--unit-rate", "60"}));
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Db db(db_);
  EXPECT_EQ(db.OpenPorts(ScanId(r)), expected_);
  EXPECT_GE(elapsed, std::chrono::milliseconds(((kHosts - 1) * port_count_ - 2) * 1000 / 60));
  EXPECT_EQ(db.Int("SELECT json_extract(options_json, '$.unit_rate') FROM scans WHERE id = ?", ScanId(r)), 60);
  ExpectOneLineError(RunCli(Scan({"--unit-rate", "-1"})), 2, "--unit-rate");
  ExpectOneLineError(RunCli(Scan({"--send", "pigeon"})), 2, "--send");
}

// The ledger's own unit rates (`rate` in the units file) pace the scan
// without --unit-rate: host 1 is "lab" (its /32, 2000/s), host 2 is "quiet"
// (its /32, no rate: it falls to the enclosing "wide", 5000/s), hosts 3..8
// are "wide". With --unit-rate 3000 the stricter rate wins and "quiet" gets
// 3000/s of its own. The pacing applied is in the JSON summary and the
// scan's stats (deterministic: the mapping, not the timing); the rates are
// high, so the open set is found quickly and is the same.
TEST_F(ScanControlTest, LedgerUnitRatesPaceTheirTargets) {
  const std::string units = dir_ + "/units.yaml";
  WriteFile(units, "units:\n"
                   "  - {id: wide, name: Wide, level: province, rate: 5000, cidrs: " + base_ + "0/24}\n"
                   "  - {id: lab, parent: wide, name: Lab, level: school, rate: 2000, cidrs: " +
                       base_ + "1/32}\n"
                   "  - {id: quiet, parent: wide, name: Quiet, level: school, cidrs: " + base_ + "2/32}\n");
  auto imported = RunCli({"--db", db_, "units", "import", units});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  using nlohmann::json;
  auto r = RunCli(Scan({"--no-probes", "--no-ping"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["unit_rates"],
            json::parse(R"([{"unit": "wide", "rate": 5000.0, "targets": 7},
                            {"unit": "lab", "rate": 2000.0, "targets": 1}])"));
  Db db(db_);
  EXPECT_EQ(db.OpenPorts(ScanId(r)), expected_);
  EXPECT_EQ(db.Int("SELECT json_extract(stats_json, '$.unit_rates[0].targets') FROM scans WHERE id = ?",
                   ScanId(r)),
            7);
  r = RunCli(Scan({"--no-probes", "--no-ping", "--unit-rate", "3000"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["unit_rates"],
            json::parse(R"([{"unit": "wide", "rate": 3000.0, "targets": 6},
                            {"unit": "lab", "rate": 2000.0, "targets": 1},
                            {"unit": "quiet", "rate": 3000.0, "targets": 1}])"));
  EXPECT_EQ(db.OpenPorts(ScanId(r)), expected_);
  // Without any rate: no pacing recorded.
  WriteFile(units, "- {id: wide, name: Wide, level: province, rate: 0, cidrs: " + base_ + "0/24}\n"
                   "- {id: lab, parent: wide, name: Lab, level: school, cidrs: " + base_ + "1/32}\n"
                   "- {id: quiet, parent: wide, name: Quiet, level: school, cidrs: " + base_ + "2/32}\n");
  imported = RunCli({"--db", db_, "units", "import", units});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  r = RunCli(Scan({"--no-probes", "--no-ping"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["unit_rates"], json::array());
}

TEST_F(ScanControlTest, ShardsAreDisjointAndCoverTheWholeScan) {
  auto full = RunCli(Scan({"--no-probes"}));
  ASSERT_EQ(full.exit_code, 0) << full.err;
  Db db(db_);
  EXPECT_EQ(db.OpenPorts(ScanId(full)), expected_);
  OpenSet all;
  uint64_t attempted = 0;
  for (const char* shard : {"1/3", "2/3", "3/3"}) {
    auto r = RunCli(Scan({"--no-probes", "--shard", shard}));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    attempted += j["open"].get<uint64_t>() + j["closed"].get<uint64_t>();
    for (const auto& p : db.OpenPorts(ScanId(r))) {
      EXPECT_TRUE(all.insert(p).second) << p.first << ":" << p.second << " in two shards";
    }
  }
  EXPECT_EQ(all, expected_);
  EXPECT_EQ(attempted, kHosts * port_count_);
  auto bad = RunCli(Scan({"--shard", "0/3"}));
  ExpectOneLineError(bad, 2, "0/3");
}

TEST_F(ScanControlTest, ResumeAfterSigintFindsTheSameOpenPorts) {
  // --no-ping --no-collect: these cases are about sweep checkpoints; under the
  // sanitizers host discovery or loading the rule packs for the collect plan
  // alone can outlast the interrupt.
  // SIGINT once a checkpoint past the start is saved (a fixed delay was
  // too short on a loaded CI machine, where startup alone can take seconds).
  bool interrupted = false;
  auto first = RunCliSignalWhen(Scan({"--no-ping", "--no-collect"}), [this] { return Checkpointed(); }, SIGINT,
                                &interrupted);
  ASSERT_TRUE(interrupted) << "no checkpoint before the scan ended: " << first.out << first.err;
  ASSERT_EQ(first.exit_code, 3) << "scan finished before the interrupt: " << first.out << first.err;
  int64_t id = ScanId(first);
  ASSERT_GT(id, 0) << first.out;
  Db db(db_);
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM scans WHERE status = 'interrupted'"), 1);
  int64_t next = db.Int("SELECT next_position FROM scan_progress WHERE scan_id = ?", id);
  EXPECT_GT(next, 0) << "nothing checkpointed";
  EXPECT_LT(db.OpenPorts(id).size(), expected_.size());

  auto resumed = RunCli({"--db", db_, "scan", "--resume", std::to_string(id), "--json"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(ScanId(resumed), id);
  EXPECT_EQ(db.OpenPorts(id), expected_);
  // The pairs in flight at the stop are redone, but each open port is
  // recorded once.
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM evidence WHERE scan_id = ? AND kind = 'port_state'", id),
            static_cast<int64_t>(expected_.size()));
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM scans WHERE status = 'done'"), 1);

  auto again = RunCli({"--db", db_, "scan", "--resume", std::to_string(id)});
  ExpectOneLineError(again, 2, "done");

  auto reference = RunCli(Scan({"--no-ping", "--no-collect"}));
  ASSERT_EQ(reference.exit_code, 0) << reference.err;
  EXPECT_EQ(db.OpenPorts(ScanId(reference)), db.OpenPorts(id));
}

TEST_F(ScanControlTest, ResumeAfterSigkillFindsTheSameOpenPorts) {
  bool killed = false;
  auto first = RunCliSignalWhen(Scan({"--no-ping", "--no-collect"}), [this] { return Checkpointed(); }, SIGKILL,
                                &killed);
  ASSERT_TRUE(killed) << "no checkpoint before the scan ended: " << first.exit_code << " " << first.err;
  ASSERT_EQ(first.exit_code, -SIGKILL) << "scan finished before SIGKILL: " << first.out << first.err;

  Db db(db_);
  int64_t id = db.Int("SELECT MAX(id) FROM scans");
  ASSERT_GT(id, 0);
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM scans WHERE status = 'running'"), 1);
  EXPECT_GT(db.Int("SELECT next_position FROM scan_progress WHERE scan_id = ?", id), 0);

  auto resumed = RunCli({"--db", db_, "scan", "--resume", std::to_string(id), "--json"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(db.OpenPorts(id), expected_);
  // Everything finished after the last checkpoint is redone (SIGKILL gives
  // no chance to save more), and still each open port is recorded once.
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM evidence WHERE scan_id = ? AND kind = 'port_state'", id),
            static_cast<int64_t>(expected_.size()));
}

}  // namespace
}  // namespace ciiscope::testing
