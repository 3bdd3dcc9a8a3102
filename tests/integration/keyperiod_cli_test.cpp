// ciiscope.yaml applied by the real CLI (exclusions, authorizations, units,
// sla, key-period sla, scoring), `keyperiod status|baseline`, `lookback
// list` and `spotcheck`, against loopback listeners this test opens and
// loopback unit ranges it registers. Each case has its own directory and
// database (ctest runs the cases in parallel).

#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "banner_server.h"
#include "cli_runner.h"
#include "sql_rows.h"

namespace ciiscope::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr int64_t kDayMs = 24LL * 3600 * 1000;

std::string UtcDate(int64_t offset_days) {
  std::time_t t = std::time(nullptr) + offset_days * 86400;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

class KeyPeriodCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    db_ = dir_ + "/inv.db";
    cfg_ = dir_ + "/ciiscope.yaml";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  CliResult Cli(std::vector<std::string> args, const std::string& config = "") {
    std::vector<std::string> pre = {"--db", db_, "--lang", "en", "--actor", "tester"};
    if (!config.empty()) pre.insert(pre.end(), {"--config", config});
    args.insert(args.begin(), pre.begin(), pre.end());
    return RunCli(args);
  }
  std::string Config(const std::string& text, const std::string& name = "ciiscope.yaml") {
    WriteFile(dir_ + "/" + name, text);
    return dir_ + "/" + name;
  }
  std::vector<std::vector<std::string>> Sql(const std::string& q) { return SqlRows(db_, q); }
  int64_t Int(const std::string& q) {
    auto rows = Sql(q);
    return rows.empty() || rows[0].empty() ? -1 : std::stoll(rows[0][0]);
  }
  // Scans the SSH listener and assesses; returns the finding's due - first_seen in days.
  double DueDays(const std::string& config, uint16_t port) {
    auto scan = Cli({"scan", "127.0.0.1", "-p", std::to_string(port), "--no-ping"}, config);
    EXPECT_EQ(scan.exit_code, 0) << scan.out << scan.err;
    auto assess = Cli({"assess"}, config);
    EXPECT_EQ(assess.exit_code, 0) << assess.out << assess.err;
    auto rows = Sql("SELECT due_at - first_seen FROM findings WHERE rule_id = 'openssh-user-enumeration'");
    EXPECT_EQ(rows.size(), 1u);
    return rows.empty() ? -1 : static_cast<double>(std::stoll(rows[0][0])) / kDayMs;
  }

  std::string dir_, db_, cfg_;
};

TEST_F(KeyPeriodCli, ExclusionsFromTheConfigApplyToEveryScan) {
  BannerServer ssh("SSH-2.0-OpenSSH_7.4\r\n", 8, 60);
  ASSERT_NE(ssh.port(), 0);
  auto cfg = Config("exclusions: [127.0.0.1]\n");
  auto r = Cli({"scan", "127.0.0.1", "-p", std::to_string(ssh.port()), "--no-ping"}, cfg);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("every target is excluded"), std::string::npos) << r.err;
  auto plain = Cli({"scan", "127.0.0.1", "-p", std::to_string(ssh.port()), "--no-ping"});
  EXPECT_EQ(plain.exit_code, 0) << plain.err;
  // A range with one excluded address: the exclusion is recorded with the scan.
  auto range = Cli({"scan", "127.0.0.1-2", "-p", std::to_string(ssh.port()), "--no-ping"}, cfg);
  ASSERT_EQ(range.exit_code, 0) << range.err;
  auto opts = Sql("SELECT options_json FROM scans ORDER BY id DESC LIMIT 1");
  ASSERT_EQ(opts.size(), 1u);
  auto j = json::parse(opts[0][0]);
  EXPECT_EQ(j["excludes"], json::array({"127.0.0.1"}));
  EXPECT_EQ(j["target_count"], 1);
}

TEST_F(KeyPeriodCli, AuthorizationsFromTheConfigOpenTheGateAndAreInTheTrail) {
  BannerServer ssh("SSH-2.0-OpenSSH_7.4\r\n", 8, 60);
  ASSERT_NE(ssh.port(), 0);
  ASSERT_EQ(Cli({"auth", "list"}).exit_code, 0);
  // Take the built-in loopback authorization away, as an operator would.
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "UPDATE authorizations SET revoked_at = 1", nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  const std::vector<std::string> scan = {"scan", "127.0.0.1", "-p", std::to_string(ssh.port()),
                                         "--no-ping"};
  auto refused = Cli(scan);
  EXPECT_EQ(refused.exit_code, 3) << refused.err;
  EXPECT_NE(refused.err.find("not authorized"), std::string::npos) << refused.err;

  auto cfg = Config("authorizations:\n  - {ref: CFG-1, issuer: 省教育厅, scope: [127.0.0.1/32], from: " +
                    UtcDate(-1) + ", to: " + UtcDate(1) + "}\n");
  auto allowed = Cli(scan, cfg);
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
  EXPECT_EQ(Int("SELECT count(*) FROM authorizations WHERE document_ref = 'CFG-1' AND revoked_at = 0 "
                "AND created_by LIKE 'config:%'"),
            1);
  EXPECT_EQ(Int("SELECT count(*) FROM audit_log WHERE command = 'auth add' AND outcome LIKE "
                "'%CFG-1 from %'"),
            1);
  // Running again records nothing new.
  ASSERT_EQ(Cli({"auth", "list"}, cfg).exit_code, 0);
  EXPECT_EQ(Int("SELECT count(*) FROM authorizations WHERE document_ref = 'CFG-1'"), 1);
  // Dropped from the file: revoked at the next command, and the gate closes.
  auto empty = Config("lang: en\n");
  auto list = Cli({"auth", "list", "--json"}, empty);
  ASSERT_EQ(list.exit_code, 0) << list.err;
  for (const auto& a : json::parse(list.out)) {
    if (a["reference"] == "CFG-1") {
      EXPECT_EQ(a["state"], "revoked");
    }
  }
  EXPECT_EQ(Int("SELECT count(*) FROM audit_log WHERE command = 'auth revoke'"), 1);
  EXPECT_EQ(Cli(scan, empty).exit_code, 3);
}

TEST_F(KeyPeriodCli, UnitsFileIsImportedWhenItChanges) {
  WriteFile(dir_ + "/units.csv",
            "id,parent,name,level,owner,contact,cidrs,domains\nSCH-1,,一中,school,张三,,127.0.0.1/32,\n");
  auto cfg = Config("units: units.csv\n");
  auto first = Cli({"units", "list", "--json"}, cfg);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(json::parse(first.out).size(), 1u);
  ASSERT_EQ(Cli({"units", "list"}, cfg).exit_code, 0);
  EXPECT_EQ(Int("SELECT count(*) FROM audit_log WHERE command = 'units import'"), 1);
  WriteFile(dir_ + "/units.csv",
            "id,parent,name,level,owner,contact,cidrs,domains\nSCH-1,,一中,school,张三,,127.0.0.1/32,\n"
            "SCH-2,,二中,school,李四,,127.0.0.2/32,\n");
  auto second = Cli({"units", "list", "--json"}, cfg);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(json::parse(second.out).size(), 2u);
  EXPECT_EQ(Int("SELECT count(*) FROM audit_log WHERE command = 'units import'"), 2);
  // A broken units file stops the command with its file and line.
  WriteFile(dir_ + "/units.csv", "id,parent,name,level,owner,contact,cidrs,domains\nSCH-3,,x,galaxy,,,,\n");
  auto bad = Cli({"units", "list"}, cfg);
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_EQ(LineCount(bad.err), 1) << bad.err;
  EXPECT_NE(bad.err.find("units.csv:2"), std::string::npos) << bad.err;
}

TEST_F(KeyPeriodCli, SlaTableSetsDueDates) {
  BannerServer ssh("SSH-2.0-OpenSSH_7.4\r\n", 8, 60);
  ASSERT_NE(ssh.port(), 0);
  auto cfg = Config("sla: {medium: 12}\n");
  EXPECT_NEAR(DueDays(cfg, ssh.port()), 12.0, 0.01);
}

TEST_F(KeyPeriodCli, DefaultDueDateWithoutConfig) {
  BannerServer ssh("SSH-2.0-OpenSSH_7.4\r\n", 8, 60);
  ASSERT_NE(ssh.port(), 0);
  EXPECT_NEAR(DueDays("", ssh.port()), 30.0, 0.01);
}

TEST_F(KeyPeriodCli, KeyPeriodSlaTightensDueDatesInItsScope) {
  BannerServer ssh("SSH-2.0-OpenSSH_7.4\r\n", 8, 60);
  ASSERT_NE(ssh.port(), 0);
  auto cfg = Config("sla: {medium: 20}\nprofiles:\n  lo: {targets: [127.0.0.1]}\n  other: {targets: [127.0.0.9]}\n"
                    "key_periods:\n  - {name: kp, from: " + UtcDate(-1) + ", to: " + UtcDate(1) +
                    ", scope: [lo], overrides: {sla: {medium: 2}}}\n");
  EXPECT_NEAR(DueDays(cfg, ssh.port()), 2.0, 0.01);
}

TEST_F(KeyPeriodCli, KeyPeriodSlaDoesNotApplyOutsideItsScope) {
  BannerServer ssh("SSH-2.0-OpenSSH_7.4\r\n", 8, 60);
  ASSERT_NE(ssh.port(), 0);
  auto cfg = Config("sla: {medium: 20}\nprofiles:\n  other: {targets: [127.0.0.9]}\n"
                    "key_periods:\n  - {name: kp, from: " + UtcDate(-1) + ", to: " + UtcDate(1) +
                    ", scope: [other], overrides: {sla: {medium: 2}}}\n");
  EXPECT_NEAR(DueDays(cfg, ssh.port()), 20.0, 0.01);
}

TEST_F(KeyPeriodCli, ScoringWeightsFromTheConfigChangeTheScore) {
  BannerServer ssh("SSH-2.0-OpenSSH_7.4\r\n", 8, 60);
  ASSERT_NE(ssh.port(), 0);
  WriteFile(dir_ + "/units.csv",
            "id,parent,name,level,owner,contact,cidrs,domains\nSCH-1,,一中,school,张三,,127.0.0.1/32,\n");
  auto light = Config("units: units.csv\nscoring: {medium: 0}\n", "light.yaml");
  auto heavy = Config("units: units.csv\nscoring: {medium: 40}\n", "heavy.yaml");
  DueDays(light, ssh.port());
  auto score = [&](const std::string& cfg) {
    auto r = Cli({"report", "--kind", "scorecard", "--format", "json", "-o", dir_ + "/out"}, cfg);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    auto rows = Sql("SELECT s.score FROM unit_scores s JOIN units u ON u.id = s.unit_id WHERE "
                    "u.code = 'SCH-1' ORDER BY s.run_id DESC LIMIT 1");
    return rows.empty() ? -1.0 : std::stod(rows[0][0]);
  };
  const double l = score(light), h = score(heavy);
  EXPECT_GT(l - h, 39.0) << l << " " << h;  // the medium finding now deducts 40 points × multiplier
  auto source = Sql("SELECT table_source FROM score_runs ORDER BY id DESC LIMIT 1");
  ASSERT_EQ(source.size(), 1u);
  EXPECT_NE(source[0][0].find("heavy.yaml scoring (medium)"), std::string::npos) << source[0][0];
}

TEST_F(KeyPeriodCli, StatusShowsTheDeltaSinceTheBaseline) {
  BannerServer ssh("SSH-2.0-OpenSSH_7.4\r\n", 16, 60);
  ASSERT_NE(ssh.port(), 0);
  auto cfg = Config("key_periods:\n  - {name: 重保, from: " + UtcDate(-1) + ", to: " + UtcDate(1) +
                    ", overrides: {alert_threshold: low}}\n");
  // The first command inside the window takes the baseline (nothing exposed yet).
  auto before = Cli({"keyperiod", "status", "重保", "--json"}, cfg);
  ASSERT_EQ(before.exit_code, 0) << before.err;
  auto b = json::parse(before.out);
  EXPECT_EQ(b["state"], "active");
  ASSERT_TRUE(b["baseline"].is_object()) << before.out;
  EXPECT_EQ(b["baseline"]["trigger"], "auto");
  EXPECT_EQ(b["baseline"]["open_services"], 0);
  EXPECT_EQ(Int("SELECT count(*) FROM audit_log WHERE command = 'keyperiod baseline'"), 1);

  DueDays(cfg, ssh.port());
  auto after = Cli({"keyperiod", "status", "重保", "--json"}, cfg);
  ASSERT_EQ(after.exit_code, 0) << after.err;
  auto a = json::parse(after.out);
  EXPECT_EQ(a["baseline"]["id"], b["baseline"]["id"]);
  EXPECT_EQ(a["new_services"].size(), 1u) << after.out;
  ASSERT_GE(a["new_findings"].size(), 1u) << after.out;
  std::set<std::string> rules;
  for (const auto& f : a["new_findings"]) rules.insert(f["rule"].get<std::string>());
  EXPECT_TRUE(rules.count("openssh-user-enumeration")) << after.out;
  auto text = Cli({"keyperiod", "status"}, cfg);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("since the baseline: 1 new open service(s)"), std::string::npos) << text.out;

  // A manual baseline resets the delta.
  auto manual = Cli({"keyperiod", "baseline", "重保"}, cfg);
  ASSERT_EQ(manual.exit_code, 0) << manual.err;
  auto reset = json::parse(Cli({"keyperiod", "status", "重保", "--json"}, cfg).out);
  EXPECT_EQ(reset["baseline"]["trigger"], "manual");
  EXPECT_EQ(reset["new_services"].size(), 0u);
  EXPECT_EQ(reset["new_findings"].size(), 0u);

  auto unknown = Cli({"keyperiod", "status", "nope"}, cfg);
  EXPECT_EQ(unknown.exit_code, 3);
  EXPECT_EQ(LineCount(unknown.err), 1) << unknown.err;
  EXPECT_NE(unknown.err.find("no key period 'nope'"), std::string::npos) << unknown.err;
  auto none = Cli({"keyperiod", "status"});
  EXPECT_NE(none.exit_code, 0);
  EXPECT_NE(none.err.find("no key periods"), std::string::npos) << none.err;
}

class SpotCheckCli : public KeyPeriodCli {
 protected:
  void Register() {
    WriteFile(dir_ + "/units.csv",
              "id,parent,name,level,owner,contact,cidrs,domains\n"
              "U-A,,甲校,school,a,,127.0.0.1/32,\n"
              "U-B,,乙校,school,b,,127.0.0.2/32,\n"
              "U-C,,丙校,school,c,,127.0.0.3/32,\n"
              "U-D,,丁校,school,d,,,\n");  // no ranges: never picked
  }
};

TEST_F(SpotCheckCli, DryRunPicksAndRecordsWithoutScanning) {
  Register();
  auto cfg = Config("units: units.csv\n");
  auto r = Cli({"spotcheck", "--count", "2", "--seed", "11", "--dry-run"}, cfg);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("seed 11"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("dry run: nothing scanned"), std::string::npos) << r.out;
  EXPECT_EQ(Int("SELECT count(*) FROM scans"), 0);
  auto rows = Sql("SELECT seed, count, picked_json, dry_run, scan_id FROM spotchecks");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "11");
  EXPECT_EQ(rows[0][3], "1");
  EXPECT_EQ(rows[0][4], "");
  auto picked = json::parse(rows[0][2]);
  ASSERT_EQ(picked.size(), 2u);
  for (const auto& code : picked) EXPECT_NE(code, "U-D");
  EXPECT_EQ(Int("SELECT count(*) FROM audit_log WHERE command = 'spotcheck' AND outcome LIKE "
                "'%dry run%seed 11%'"),
            1);
  // The same seed picks the same units.
  ASSERT_EQ(Cli({"spotcheck", "--count", "2", "--seed", "11", "--dry-run"}, cfg).exit_code, 0);
  auto again = Sql("SELECT picked_json FROM spotchecks ORDER BY id");
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0][0], again[1][0]);
}

TEST_F(SpotCheckCli, RealRunScansOnlyThePickedRegisteredRanges) {
  BannerServer ssh("SSH-2.0-OpenSSH_7.4\r\n", 16, 60);
  ASSERT_NE(ssh.port(), 0);
  Register();
  auto cfg = Config("units: units.csv\nprofiles:\n  quick: {targets: [127.0.0.1], ports: \"" +
                    std::to_string(ssh.port()) + "\"}\n");
  auto r = Cli({"spotcheck", "--count", "2", "--seed", "3", "--profile", "quick", "-o",
                dir_ + "/reports"},
               cfg);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto check = Sql("SELECT picked_json, scan_id, dry_run FROM spotchecks");
  ASSERT_EQ(check.size(), 1u);
  EXPECT_EQ(check[0][2], "0");
  auto picked = json::parse(check[0][0]);
  ASSERT_EQ(picked.size(), 2u);
  std::set<std::string> expected;
  for (const auto& code : picked) {
    const std::string c = code;
    expected.insert(c == "U-A" ? "127.0.0.1/32" : c == "U-B" ? "127.0.0.2/32" : "127.0.0.3/32");
  }
  auto scans = Sql("SELECT id, targets, profile, ports FROM scans");
  ASSERT_EQ(scans.size(), 1u);
  EXPECT_EQ(scans[0][0], check[0][1]);
  EXPECT_EQ(scans[0][2], "spotcheck:quick");
  EXPECT_EQ(scans[0][3], std::to_string(ssh.port()));
  std::set<std::string> targets;
  std::string t = scans[0][1];
  for (size_t start = 0; start < t.size();) {
    size_t sp = t.find(' ', start);
    targets.insert(t.substr(start, sp == std::string::npos ? std::string::npos : sp - start));
    if (sp == std::string::npos) break;
    start = sp + 1;
  }
  EXPECT_EQ(targets, expected);
  // Only addresses of the picked ranges have evidence.
  for (const auto& row : Sql("SELECT DISTINCT a.address FROM evidence e JOIN assets a ON a.id = e.asset_id")) {
    EXPECT_TRUE(expected.count(row[0] + "/32")) << row[0];
  }
  EXPECT_EQ(Int("SELECT count(*) FROM audit_log WHERE command = 'spotcheck' AND outcome LIKE "
                "'%seed 3%scan %'"),
            1);
  EXPECT_TRUE(fs::exists(dir_ + "/reports/scan-" + check[0][1] + ".html"));
}

TEST_F(SpotCheckCli, LookbackListAndErrors) {
  Register();
  auto cfg = Config("units: units.csv\n");
  auto list = Cli({"lookback", "list", "--json"}, cfg);
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(json::parse(list.out).size(), 0u);
  auto bad = Cli({"spotcheck", "--profile", "nope", "--dry-run"}, cfg);
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_EQ(LineCount(bad.err), 1) << bad.err;
  EXPECT_NE(bad.err.find("--profile nope"), std::string::npos) << bad.err;
  auto empty = RunCli({"--db", dir_ + "/fresh.db", "spotcheck", "--dry-run"});
  EXPECT_NE(empty.exit_code, 0);
  EXPECT_NE(empty.err.find("no unit with registered ranges"), std::string::npos) << empty.err;
}

}  // namespace
}  // namespace ciiscope::testing
