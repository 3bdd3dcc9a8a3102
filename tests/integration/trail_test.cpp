// The audit trail through the real CLI: every state-changing command leaves
// exactly one row (also on failure), read-only commands none; then the
// database is tampered with through a raw SQLite connection (as with the
// sqlite3 shell) and `trail verify` must fail naming the row.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_runner.h"

namespace ciiscope::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void Sql(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
  char* msg = nullptr;
  int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &msg);
  EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << (msg ? msg : "");
  sqlite3_free(msg);
  sqlite3_close(h);
}

class TrailCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = MakeTempDir("trail");
    db_ = dir_ + "/ws.db";
    auto run = [](std::vector<std::string> args) {
      std::vector<std::string> full = {"--db", db_, "--actor", "bob"};
      full.insert(full.end(), args.begin(), args.end());
      return RunCli(full);
    };
    // Port 9 on a loopback address we do not otherwise use: likely closed, and
    // it does not matter either way.
    auto scan = run({"scan", "127.77.9.9", "-p", "9"});
    ASSERT_EQ(scan.exit_code, 0) << scan.err;
    ASSERT_EQ(run({"assess"}).exit_code, 0);
    auto auth = run({"auth", "add", "--ref", "R-1", "--issuer", "Bureau", "--scope", "127.0.0.0/8",
                     "--from", "2026-01-01", "--to", "2026-12-31"});
    ASSERT_EQ(auth.exit_code, 0) << auth.err;
    auto bad = run({"assess", "--scan", "9999"});
    ASSERT_NE(bad.exit_code, 0);
    // Read-only: no rows.
    ASSERT_EQ(run({"assets", "list"}).exit_code, 0);
    ASSERT_EQ(run({"auth", "list"}).exit_code, 0);
    auto report = run({"report", "--format", "json", "-o", dir_ + "/r.json"});
    ASSERT_EQ(report.exit_code, 0) << report.err;
    ASSERT_EQ(run({"assess"}).exit_code, 0);
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // A private copy of the database and its anchor for one tampering.
  std::string Copy(const std::string& name) {
    std::string copy = dir_ + "/" + name + ".db";
    fs::copy_file(db_, copy, fs::copy_options::overwrite_existing);
    fs::copy_file(db_ + ".trail-head", copy + ".trail-head", fs::copy_options::overwrite_existing);
    return copy;
  }

  static std::string dir_;
  static std::string db_;
};
std::string TrailCliTest::dir_;
std::string TrailCliTest::db_;

TEST_F(TrailCliTest, OneRowPerStateChangingCommand) {
  auto list = RunCli({"--db", db_, "trail", "list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  json rows = json::parse(list.out);
  std::vector<std::string> commands;
  for (const auto& r : rows) commands.push_back(r["command"]);
  EXPECT_EQ(commands, (std::vector<std::string>{"scan", "assess", "auth add", "assess", "assess"}));
  for (const auto& r : rows) {
    EXPECT_EQ(r["actor"], "bob");
    EXPECT_EQ(r["args_digest"].get<std::string>().size(), 64u);
  }
  EXPECT_EQ(rows[0]["outcome"], "ok");
  EXPECT_TRUE(rows[3]["outcome"].get<std::string>().starts_with("error: ")) << rows[3];
  EXPECT_NE(rows[1]["args_digest"], rows[3]["args_digest"]);

  auto verify = RunCli({"--db", db_, "trail", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_NE(verify.out.find("trail intact: 5 rows"), std::string::npos) << verify.out;

  auto last = RunCli({"--db", db_, "trail", "list", "--last", "2", "--json"});
  EXPECT_EQ(json::parse(last.out).size(), 2u);
}

TEST_F(TrailCliTest, EditedRowIsNamed) {
  std::string db = Copy("edit");
  Sql(db, "UPDATE audit_log SET outcome = 'ok' WHERE id = 4");
  auto v = RunCli({"--db", db, "trail", "verify"});
  EXPECT_EQ(v.exit_code, 3);
  EXPECT_NE(v.out.find("trail BROKEN at row 4: row 4 was edited"), std::string::npos) << v.out;
}

TEST_F(TrailCliTest, DeletedMiddleRowIsNamed) {
  std::string db = Copy("delete");
  Sql(db, "DELETE FROM audit_log WHERE id = 2");
  auto v = RunCli({"--db", db, "trail", "verify", "--json"});
  EXPECT_EQ(v.exit_code, 3);
  json j = json::parse(v.out);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["bad_row"], 2);
  EXPECT_EQ(j["reason"], "row 2 was deleted");
}

TEST_F(TrailCliTest, ReorderedRowsAreNamed) {
  std::string db = Copy("reorder");
  Sql(db,
      "UPDATE audit_log SET id = 100 WHERE id = 3; UPDATE audit_log SET id = 3 WHERE id = 4; "
      "UPDATE audit_log SET id = 4 WHERE id = 100;");
  auto v = RunCli({"--db", db, "trail", "verify"});
  EXPECT_EQ(v.exit_code, 3);
  EXPECT_NE(v.out.find("at row 3: row 3 does not follow row 2"), std::string::npos) << v.out;
}

TEST_F(TrailCliTest, TruncatedTailIsNamed) {
  std::string db = Copy("tail");
  Sql(db, "DELETE FROM audit_log WHERE id >= 4");
  auto v = RunCli({"--db", db, "trail", "verify"});
  EXPECT_EQ(v.exit_code, 3);
  EXPECT_NE(v.out.find("at row 4: rows 4..5 (the newest) were deleted"), std::string::npos) << v.out;

  fs::remove(db + ".trail-head");
  auto gone = RunCli({"--db", db, "trail", "verify"});
  EXPECT_EQ(gone.exit_code, 3);
  EXPECT_NE(gone.out.find("is missing"), std::string::npos) << gone.out;
}

TEST_F(TrailCliTest, VerifyOfMissingDatabaseDoesNotCreateIt) {
  auto v = RunCli({"--db", dir_ + "/none.db", "trail", "verify"});
  EXPECT_EQ(v.exit_code, 3);
  EXPECT_NE(v.err.find("none.db: no such database"), std::string::npos) << v.err;
  EXPECT_FALSE(fs::exists(dir_ + "/none.db"));
}

}  // namespace
}  // namespace ciiscope::testing
