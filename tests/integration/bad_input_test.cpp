// Bad input ends with one clear line on stderr, a non-zero exit, no stack
// trace, and no damage to the database.

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "cli_runner.h"
#include "sql_rows.h"

namespace ciiscope::testing {
namespace {

namespace fs = std::filesystem;

// How soon after SIGINT a scan must have stopped and saved its results: "within
// a second" (issue 3). The sanitizer build runs several times slower: 0.3 s
// quiet, 0.8 s under load 6 here, measured from a SIGINT sent as the sweep
// starts.
#if defined(__SANITIZE_ADDRESS__)
constexpr double kStopWithin = 5.0;
#else
constexpr double kStopWithin = 1.5;
#endif

void ExpectOneLineError(const CliResult& r, int code, const std::string& needle) {
  EXPECT_EQ(r.exit_code, code) << r.out << r.err;
  EXPECT_EQ(LineCount(r.err), 1) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("terminate"), std::string::npos) << r.err;
}

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir("badinput"); }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string dir_;
};

TEST_F(BadInputTest, BadCidr) {
  auto r = RunCli({"--db", dir_ + "/x.db", "scan", "10.0.0.0/33", "-p", "80"});
  ExpectOneLineError(r, 2, "10.0.0.0/33");
}

TEST_F(BadInputTest, UnknownPortSpec) {
  auto r = RunCli({"--db", dir_ + "/x.db", "scan", "127.0.0.1", "-p", "80,99999"});
  ExpectOneLineError(r, 2, "99999");
  r = RunCli({"--db", dir_ + "/x.db", "scan", "127.0.0.1", "-p", "top1000x"});
  ExpectOneLineError(r, 2, "port spec");
}

TEST_F(BadInputTest, UnknownFlagIsUsageError) {
  auto r = RunCli({"scan", "--no-such-flag"});
  ExpectOneLineError(r, 2, "no-such-flag");
}

TEST_F(BadInputTest, RuleSyntaxErrorNamesFileLineColumn) {
  fs::create_directories(dir_ + "/rules/pack");
  WriteFile(dir_ + "/rules/pack/bad.yaml",
            "id: broken\nkind: check\nseverity: high\ntitle: {zh: 坏, en: bad\nwhen: 'true'\n");
  auto r = RunCli({"rules", "lint", dir_ + "/rules"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("bad.yaml:"), std::string::npos) << r.err;
  // audit fails on the rules before sending a packet and says where.
  auto a = RunCli({"--db", dir_ + "/x.db", "--rules", dir_ + "/rules", "audit", "127.0.0.1",
                   "-p", "1"});
  ExpectOneLineError(a, 3, "bad.yaml:");
}

TEST_F(BadInputTest, BadExpressionNamesPosition) {
  fs::create_directories(dir_ + "/rules");
  WriteFile(dir_ + "/rules/expr.yaml",
            "id: bad-expr\nkind: check\nseverity: low\n"
            "title: {zh: 坏, en: bad}\nremediation: {zh: 修, en: fix}\n"
            "when: 'service.port == == 1'\n");
  auto r = RunCli({"rules", "lint", dir_ + "/rules"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("expr.yaml:6:"), std::string::npos) << r.err;
}

TEST_F(BadInputTest, UnwritableReportPath) {
  // A database with one (empty) finished scan: sweep a port we bound and closed.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::string port = std::to_string(ntohs(addr.sin_port));
  close(fd);
  auto s = RunCli({"--db", dir_ + "/x.db", "scan", "127.0.0.1", "-p", port});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  auto r = RunCli({"--db", dir_ + "/x.db", "report", "--format", "html", "-o",
                   dir_ + "/no/such/dir/report.html"});
  ExpectOneLineError(r, 3, "cannot write report");
}

TEST_F(BadInputTest, NonSqliteDatabaseIsRefusedAndUntouched) {
  std::string db = dir_ + "/notes.txt";
  std::string content = "these are my notes, not a database\n";
  WriteFile(db, content);
  auto r = RunCli({"--db", db, "findings", "list"});
  ExpectOneLineError(r, 3, "notes.txt");
  EXPECT_EQ(ReadFile(db), content);
}

TEST_F(BadInputTest, UnknownReportFormat) {
  auto r = RunCli({"--db", dir_ + "/x.db", "report", "--format", "docx"});
  ExpectOneLineError(r, 2, "docx");
}

// True once `db` records a running scan that has saved its first checkpoint,
// which it does just before its sweep starts, after storing the host
// discovery's evidence (read-only: the command creates the file).
bool ScanRunning(const std::string& db) {
  return !SqlRows(db, "SELECT 1 FROM scans JOIN scan_progress ON scan_progress.scan_id = scans.id "
                      "WHERE status = 'running'")
              .empty();
}

TEST_F(BadInputTest, InterruptKeepsResultsAndMarksScan) {
  // A sweep of loopback addresses long enough to interrupt; SIGINT once the
  // sweep is about to start (a fixed delay was outlasted by the start-up
  // of the sanitizer build on a loaded machine, which the default SIGINT
  // action then killed before the handler was installed).
  const std::string db = dir_ + "/x.db";
  bool interrupted = false;
  auto r = RunCliSignalWhen({"--db", db, "scan", "127.81.0.0/18", "-p", "1-40", "--no-probes", "--concurrency", "64"},
                            [&] { return ScanRunning(db); }, SIGINT, &interrupted, 60);
  ASSERT_TRUE(interrupted) << "the scan ended before it was seen running: " << r.out << r.err;
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("interrupted"), std::string::npos) << r.err;
  std::printf("signalled %.2f s after the start; stopped %.2f s later\n", r.signalled_at, r.seconds - r.signalled_at);
  EXPECT_LT(r.seconds - r.signalled_at, kStopWithin) << "did not stop within a second or so of SIGINT";
  auto list = RunCli({"--db", db, "assets", "list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
}

}  // namespace
}  // namespace ciiscope::testing
