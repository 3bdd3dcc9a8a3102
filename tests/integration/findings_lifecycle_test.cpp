// The finding lifecycle through the real CLI: a database prepared by
// scanning a loopback listener this test opens (an old OpenSSH banner, so a
// check rule fires), then ack/assign/accept/fix/reopen/false-positive and
// show, with refusals naming the current status.

#include <sqlite3.h>

#include <gtest/gtest.h>

#include <ctime>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "banner_server.h"
#include "cli_runner.h"

namespace ciiscope::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

class FindingsLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("findings");
    db_ = dir_ + "/inventory.db";
    BannerServer ssh("SSH-2.0-OpenSSH_7.4\r\n", 16, 60);
    ASSERT_NE(ssh.port(), 0);
    auto scan = Cli({"scan", "127.0.0.1", "-p", std::to_string(ssh.port())});
    ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;
    auto assess = Cli({"assess"});
    ASSERT_EQ(assess.exit_code, 0) << assess.out << assess.err;
    auto list = Cli({"findings", "list", "--json"});
    ASSERT_EQ(list.exit_code, 0) << list.err;
    json arr = json::parse(list.out, nullptr, false);
    ASSERT_TRUE(arr.is_array()) << list.out;
    for (const auto& f : arr) {
      if (f["rule"] == "openssh-user-enumeration") id_ = std::to_string(f["id"].get<int64_t>());
    }
    ASSERT_FALSE(id_.empty()) << list.out;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  CliResult Cli(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db_, "--lang", "en", "--actor", "tester"});
    return RunCli(args);
  }

  static void ExpectRefused(const CliResult& r, int code, const std::string& needle) {
    EXPECT_EQ(r.exit_code, code) << r.out << r.err;
    EXPECT_EQ(LineCount(r.err), 1) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  }

  json Show() {
    auto r = Cli({"findings", "show", id_, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out, nullptr, false);
  }

  int AuditRows(const std::string& command_prefix, const std::string& outcome_like = "%") {
    sqlite3* db = nullptr;
    int n = -1;
    if (sqlite3_open_v2(db_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_stmt* stmt = nullptr;
      sqlite3_prepare_v2(db, "SELECT count(*) FROM audit_log WHERE command LIKE ? AND actor = ? "
                         "AND outcome LIKE ?",
                         -1, &stmt, nullptr);
      std::string like = command_prefix + "%";
      sqlite3_bind_text(stmt, 1, like.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(stmt, 2, "tester", -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(stmt, 3, outcome_like.c_str(), -1, SQLITE_TRANSIENT);
      if (sqlite3_step(stmt) == SQLITE_ROW) n = sqlite3_column_int(stmt, 0);
      sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return n;
  }

  std::string dir_, db_, id_;
};

TEST_F(FindingsLifecycleTest, ListJsonFieldsUnchanged) {
  auto r = Cli({"findings", "list", "--json"});
  json arr = json::parse(r.out);
  ASSERT_FALSE(arr.empty());
  std::set<std::string> keys;
  for (const auto& [k, v] : arr[0].items()) keys.insert(k);
  EXPECT_EQ(keys, (std::set<std::string>{"id", "key", "rule", "severity", "status", "address",
                                         "port", "title", "first_seen", "last_seen"}));
}

std::string NowIso() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

TEST_F(FindingsLifecycleTest, WalkThroughTheLifecycle) {
  auto ack = Cli({"findings", "ack", id_, "--reason", "seen by the unit"});
  ASSERT_EQ(ack.exit_code, 0) << ack.err;
  EXPECT_NE(ack.out.find("open -> acknowledged"), std::string::npos) << ack.out;
  ExpectRefused(Cli({"findings", "ack", id_}), 2, "is acknowledged");

  ASSERT_EQ(Cli({"findings", "assign", id_, "--to", "alice"}).exit_code, 0);
  ExpectRefused(Cli({"findings", "assign", id_}), 2, "--to");

  ExpectRefused(Cli({"findings", "accept", id_}), 2, "--expires");
  ExpectRefused(Cli({"findings", "accept", id_, "--expires", "2020-01-01"}), 2, "in the past");
  ExpectRefused(Cli({"findings", "accept", id_, "--expires", "31/12/2099"}), 2, "YYYY-MM-DD");
  auto accept = Cli({"findings", "accept", id_, "--expires", "2099-12-31", "--reason",
                     "compensating control: SSH only from the bastion"});
  ASSERT_EQ(accept.exit_code, 0) << accept.err;
  ExpectRefused(Cli({"findings", "fix", id_}), 2, "is accepted");

  json shown = Show();
  EXPECT_EQ(shown["status"], "accepted");
  EXPECT_EQ(shown["assignee"], "alice");
  EXPECT_EQ(shown["due"], "2099-12-31T23:59:59Z");

  ASSERT_EQ(Cli({"findings", "reopen", id_, "--reason", "control removed"}).exit_code, 0);
  // Due again by the SLA from now, no longer at the acceptance expiry.
  shown = Show();
  EXPECT_EQ(shown["status"], "reopened");
  const std::string due = shown["due"].get<std::string>();
  EXPECT_GT(due, NowIso()) << due;
  EXPECT_LT(due, "2099") << due;
  ASSERT_EQ(Cli({"findings", "fix", id_, "--reason", "upgraded"}).exit_code, 0);
  ExpectRefused(Cli({"findings", "false-positive", id_}), 2, "is fixed");

  shown = Show();
  EXPECT_EQ(shown["status"], "fixed");
  EXPECT_FALSE(shown["evidence_ids"].empty());
  std::vector<std::string> trail;
  for (const auto& e : shown["events"]) {
    trail.push_back(e["to"].get<std::string>());
    if (e["to"] != "open") {
      EXPECT_EQ(e["actor"], "tester") << e.dump();
    }
  }
  EXPECT_EQ(trail, (std::vector<std::string>{"open", "acknowledged", "acknowledged", "accepted",
                                             "reopened", "fixed"}));
  EXPECT_EQ(shown["events"][1]["reason"], "seen by the unit");
  EXPECT_EQ(shown["events"][2]["reason"], "assigned to alice");
  EXPECT_NE(shown["events"][3]["reason"].get<std::string>().find("2099-12-31"), std::string::npos);

  // One audit entry per change that happened, and one per refused attempt
  // (outcome "error: …", written by the uniform trail in app/audit_trail.cpp).
  EXPECT_EQ(AuditRows("findings "), 12);
  EXPECT_EQ(AuditRows("findings ", "error: %"), 7);

  auto text = Cli({"findings", "show", id_});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("openssh-user-enumeration"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("events:"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("upgraded"), std::string::npos) << text.out;
}

TEST_F(FindingsLifecycleTest, FalsePositiveAndUnknownId) {
  ASSERT_EQ(Cli({"findings", "false-positive", id_, "--reason", "lab host"}).exit_code, 0);
  EXPECT_EQ(Show()["status"], "false_positive");
  ExpectRefused(Cli({"findings", "ack", id_}), 2, "is false_positive");
  ASSERT_EQ(Cli({"findings", "reopen", id_}).exit_code, 0);
  ExpectRefused(Cli({"findings", "ack", "99999"}), 3, "no finding 99999");
  ExpectRefused(Cli({"findings", "show", "99999"}), 3, "no finding 99999");
}

}  // namespace
}  // namespace ciiscope::testing
