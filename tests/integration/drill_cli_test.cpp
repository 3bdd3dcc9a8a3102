// `ciiscope drill start|stop|status|list` and `report --kind
// scorecard|diff|drill` through the real binary, on real inventories (the
// hostile fixture of tests/unit/reports and a units ledger); no network.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_runner.h"
#include "hostile_store.h"

namespace ciiscope::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

int64_t QueryInt(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  int64_t v = -1;
  if (sqlite3_open(db_path.c_str(), &db) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      v = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return v;
}

class DrillCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("drill-cli");
    db_ = dir_ + "/ciiscope.db";
  }
  void TearDown() override { fs::remove_all(dir_); }
  CliResult Cli(std::vector<std::string> args, const std::string& lang = "en") {
    args.insert(args.begin(), {"--db", db_, "--lang", lang, "--actor", "tester"});
    return RunCli(args, dir_);
  }
  std::string dir_, db_;
};

TEST_F(DrillCliTest, StartStatusStopListWithAuditTrail) {
  CliResult none = Cli({"drill", "status"});
  EXPECT_EQ(none.exit_code, 3);
  EXPECT_NE(none.err.find("drill start"), std::string::npos) << none.err;

  CliResult bad = Cli({"drill", "start", "--name", "x", "--from", "2026-13-01"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--from '2026-13-01'"), std::string::npos) << bad.err;
  CliResult kind = Cli({"drill", "start", "--name", "x", "--kind", "party"});
  EXPECT_EQ(kind.exit_code, 2);

  CliResult start = Cli({"drill", "start", "--name", "护网 2026", "--kind", "key-period",
                         "--scope", "10.1.0.0/16,demo-univ", "--from", "2026-07-01",
                         "--until", "2026-07-21"});
  ASSERT_EQ(start.exit_code, 0) << start.err;
  EXPECT_NE(start.out.find("drill 1 started"), std::string::npos) << start.out;
  CliResult again = Cli({"drill", "start", "--name", "second"});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("still running"), std::string::npos) << again.err;

  CliResult status = Cli({"drill", "status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  json s = json::parse(status.out);
  EXPECT_EQ(s["name"], "护网 2026");
  EXPECT_EQ(s["kind"], "key-period");
  EXPECT_EQ(s["status"], "running");
  EXPECT_EQ(s["scope"], json::array({"10.1.0.0/16", "demo-univ"}));
  EXPECT_EQ(s["planned_from"], "2026-07-01T00:00:00Z");
  EXPECT_EQ(s["planned_until"], "2026-07-21T23:59:59Z");

  CliResult stop = Cli({"drill", "stop"});
  ASSERT_EQ(stop.exit_code, 0) << stop.err;
  CliResult stop_again = Cli({"drill", "stop"});
  EXPECT_EQ(stop_again.exit_code, 3);
  EXPECT_NE(stop_again.err.find("no drill is running"), std::string::npos);

  CliResult list = Cli({"drill", "list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  json l = json::parse(list.out);
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0]["status"], "finished");
  EXPECT_EQ(l[0]["created_by"], "tester");
  EXPECT_FALSE(l[0]["ended_at"].is_null());

  EXPECT_EQ(QueryInt(db_, "SELECT COUNT(*) FROM drill_events WHERE kind IN ('start','stop')"), 2);
  EXPECT_EQ(QueryInt(db_, "SELECT COUNT(*) FROM audit_log WHERE command IN ('drill start', "
                          "'drill stop') AND actor = 'tester' AND outcome LIKE 'ok%'"),
            2);
  // The refused starts and the second stop are in the trail too, as failures.
  EXPECT_GE(QueryInt(db_, "SELECT COUNT(*) FROM audit_log WHERE command IN ('drill start', "
                          "'drill stop') AND actor = 'tester' AND outcome LIKE 'error%'"),
            3);
  CliResult report = Cli({"report", "--kind", "drill", "--format", "html,json", "-o",
                          dir_ + "/out"});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  EXPECT_TRUE(fs::exists(dir_ + "/out/drill.html"));
  EXPECT_TRUE(fs::exists(dir_ + "/out/drill.json.sha256"));
}

TEST_F(DrillCliTest, ScorecardComputesARunFromTheShippedTableAndWritesEveryFormat) {
  WriteFile(dir_ + "/units.yaml",
            "units:\n"
            "  - {id: prov, name: 省教育厅, level: province, cidrs: [10.0.0.0/8]}\n"
            "  - {id: univ, parent: prov, name: \"../../x\", level: school, cidrs: [10.1.0.0/16]}\n");
  CliResult units = Cli({"units", "import", dir_ + "/units.yaml"});
  ASSERT_EQ(units.exit_code, 0) << units.err << units.out;
  for (int run = 1; run <= 2; ++run) {
    CliResult r = Cli({"report", "--kind", "scorecard", "--format", "html,json,csv,md,xlsx",
                       "-o", dir_ + "/sc"}, "zh");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("score run " + std::to_string(run) + ": 2 unit(s)"), std::string::npos)
        << r.out;
    for (std::string ext : {"html", "json", "csv", "md", "xlsx"}) {
      std::string p = dir_ + "/sc/scorecard-" + std::to_string(run) + "." + ext;
      EXPECT_TRUE(fs::exists(p)) << p;
      EXPECT_TRUE(fs::exists(p + ".sha256")) << p;
    }
  }
  // Nothing escaped the output folder because of the unit named ../../x.
  EXPECT_FALSE(fs::exists(dir_ + "/x"));
  json doc = json::parse(ReadFile(dir_ + "/sc/scorecard-2.json"));
  EXPECT_EQ(doc["lang"], "zh-CN");
  EXPECT_EQ(doc["sections"][0]["rows"].size(), 2u);
  EXPECT_EQ(doc["sections"][0]["rows"][1]["unit"], "../../x");
  EXPECT_EQ(doc["sections"][0]["rows"][1]["previous"], 100);
  EXPECT_EQ(QueryInt(db_, "SELECT COUNT(*) FROM audit_log WHERE command = 'score'"), 2);
  EXPECT_EQ(QueryInt(db_, "SELECT COUNT(*) FROM score_runs"), 2);

  // A broken scoring table: one line naming file:line:column, nothing written.
  fs::create_directories(dir_ + "/rules/scoring");
  WriteFile(dir_ + "/rules/scoring/scoring.yaml", "version: 1\nbase: [\n");
  CliResult broken = Cli({"--rules", dir_ + "/rules", "report", "--kind", "scorecard",
                          "--format", "json", "-o", dir_ + "/broken.json"});
  EXPECT_EQ(broken.exit_code, 3);
  EXPECT_NE(broken.err.find("scoring.yaml:"), std::string::npos) << broken.err;
  EXPECT_FALSE(fs::exists(dir_ + "/broken.json"));
  EXPECT_EQ(QueryInt(db_, "SELECT COUNT(*) FROM score_runs"), 2);
}

TEST_F(DrillCliTest, DiffBetweenScansAndDatesOnTheHostileInventory) {
  reports::testing::FillHostileStore(db_);
  CliResult r = Cli({"report", "--kind", "diff", "--from", "1", "--to", "2", "--format", "json",
                     "-o", dir_ + "/d.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json doc = json::parse(ReadFile(dir_ + "/d.json"));
  EXPECT_EQ(doc["kind"], "diff");
  CliResult dates = Cli({"report", "--kind", "diff", "--from", "2025-11-24T17:30",
                         "--to", "2025-11-25", "--format", "md", "-o", dir_ + "/d.md"});
  ASSERT_EQ(dates.exit_code, 0) << dates.err;
  CliResult bad = Cli({"report", "--kind", "diff", "--from", "yesterday", "--format", "md"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--from: expected a scan id or a date"), std::string::npos) << bad.err;
  CliResult unknown = Cli({"report", "--kind", "gossip"});
  EXPECT_EQ(unknown.exit_code, 2);
}

}  // namespace
}  // namespace ciiscope::testing
