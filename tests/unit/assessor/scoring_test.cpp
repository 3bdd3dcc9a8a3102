// Scores (docs/scoring.md): the scoring table loader, finding points, asset
// scores and the roll-up, on hand-computed cases; then ComputeScores over a
// real store.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "assessor/scoring.h"
#include "core/clock.h"
#include "rulelang/scoring_table.h"
#include "tests/unit/inventory/store_test_util.h"

namespace ciiscope::assessor {
namespace {

using inventory::testing::RawDb;
using inventory::testing::TempDir;

constexpr int64_t kNow = 1'800'000'000'000;
constexpr int64_t kDay = 86'400'000;

rulelang::ScoringTable Table() {
  rulelang::ScoringTable t;
  t.base = 100;
  t.floor = 0;
  t.severity_weights = {{"info", 0}, {"low", 0.5}, {"medium", 2}, {"high", 5}, {"critical", 10}};
  t.criticality_multipliers = {{"high", 2}, {"medium", 1.5}, {"low", 1}, {"unknown", 1}};
  t.cii_multipliers = {{"confirmed", 2}, {"candidate", 1.5}, {"rejected", 1}, {"unknown", 1}};
  t.overdue_extra = 0.5;
  t.repeat_extra = 1.0;
  t.shadow_asset_points = 5;
  t.shadow_rules = {"asset-unowned", "shuangfei-domain-outside-range"};
  t.counted_statuses = {"open", "acknowledged", "reopened", "fixed"};
  return t;
}

std::string ShippedTable() { return std::string(CIISCOPE_SOURCE_DIR) + "/rules/scoring/scoring.yaml"; }

TEST(ScoringTableTest, ShippedTableLoadsWithTheDocumentedValues) {
  auto t = rulelang::LoadScoringTable(ShippedTable());
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(t->base, 100);
  EXPECT_EQ(t->severity_weights.at("critical"), 10);
  EXPECT_EQ(t->severity_weights.at("low"), 0.5);
  EXPECT_EQ(t->cii_multipliers.at("confirmed"), 2);
  EXPECT_EQ(t->overdue_extra, 0.5);
  EXPECT_EQ(t->shadow_rules.size(), 2u);
}

TEST(ScoringTableTest, ErrorsNameFileLineAndColumn) {
  TempDir dir;
  auto load = [&](const std::string& text) {
    std::string path = dir.File("s.yaml");
    std::ofstream(path) << text;
    auto t = rulelang::LoadScoringTable(path);
    return t ? std::string("ok") : t.error().message();
  };
  std::ifstream in(ShippedTable());
  std::string good((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(load(good), "ok");
  std::string unknown = load(good + "bonus: 3\n");
  EXPECT_NE(unknown.find("s.yaml:"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("bonus"), std::string::npos) << unknown;
  std::string neg = good;
  size_t at = neg.find("overdue_extra: 0.5");
  neg.replace(at, 18, "overdue_extra: -1");
  const std::string line = std::to_string(1 + std::count(neg.begin(), neg.begin() + at, '\n'));
  std::string neg_error = load(neg);
  EXPECT_NE(neg_error.find("overdue_extra"), std::string::npos) << neg_error;
  EXPECT_NE(neg_error.find("s.yaml:" + line + ":16: "), std::string::npos) << neg_error;
  std::string text = good;
  text.replace(text.find("critical: 10"), 12, "critical: lots");
  EXPECT_NE(load(text).find("expected a number for severity_weights.critical"), std::string::npos)
      << load(text);
  std::string missing = good;
  missing.replace(missing.find("info: 0"), 7, "infos: 0");
  EXPECT_NE(load(missing).find("severity 'info'"), std::string::npos) << load(missing);
  EXPECT_NE(load("[1, 2]").find("expected a mapping"), std::string::npos);
  EXPECT_NE(load("base: [").find("s.yaml:"), std::string::npos);
}

TEST(ScoringTest, FindingPointsHandComputed) {
  const auto t = Table();
  // high × (criticality high 2 × CII confirmed 2) = 20
  EXPECT_DOUBLE_EQ(AssetMultiplier(t, "high", "confirmed"), 4);
  EXPECT_DOUBLE_EQ(AssetMultiplier(t, "", ""), 1);
  EXPECT_DOUBLE_EQ(AssetMultiplier(t, "bogus", "candidate"), 1.5);
  EXPECT_DOUBLE_EQ(FindingPoints(t, {"high", "open", 0, false}, 4, kNow), 20);
  // … overdue: × 1.5 = 30; and a repeat finding: × 2 = 60
  EXPECT_DOUBLE_EQ(FindingPoints(t, {"high", "open", kNow - kDay, false}, 4, kNow), 30);
  EXPECT_DOUBLE_EQ(FindingPoints(t, {"high", "acknowledged", kNow - kDay, true}, 4, kNow), 60);
  // Not yet due: no overdue extra.
  EXPECT_DOUBLE_EQ(FindingPoints(t, {"medium", "open", kNow + kDay, false}, 1, kNow), 2);
  // Accepted counts only once the acceptance has expired (and is then overdue).
  EXPECT_DOUBLE_EQ(FindingPoints(t, {"medium", "accepted", kNow + kDay, false}, 1, kNow), 0);
  EXPECT_DOUBLE_EQ(FindingPoints(t, {"medium", "accepted", kNow - kDay, false}, 1, kNow), 3);
  for (const char* status : {"verified", "closed", "false_positive"}) {
    EXPECT_DOUBLE_EQ(FindingPoints(t, {"critical", status, kNow - kDay, true}, 4, kNow), 0)
        << status;
  }
  EXPECT_DOUBLE_EQ(FindingPoints(t, {"weird", "open", 0, false}, 4, kNow), 0);
  EXPECT_DOUBLE_EQ(AssetScore(t, 60, false), 40);
  EXPECT_DOUBLE_EQ(AssetScore(t, 60, true), 35);
  EXPECT_DOUBLE_EQ(AssetScore(t, 160, false), 0);  // floor
}

TEST(ScoringTest, RollUpIsTheWeightedMeanOverTheSubtree) {
  const auto t = Table();
  UnitScorer s(t);
  // province 1 ← school 2 ← department 4; province 1 ← school 3; unit 5 empty under 1.
  s.AddUnit(4, 2);
  s.AddUnit(1, 0);
  s.AddUnit(2, 1);
  s.AddUnit(3, 1);
  s.AddUnit(5, 1);
  UnitScorer::Totals none;
  s.AddAsset(2, 4, 40, none);    // CII asset with 60 points
  s.AddAsset(2, 1, 98, none);    // plain asset with a medium finding
  s.AddAsset(3, 1, 100, none);
  s.AddAsset(4, 1.5, 90, none);  // medium criticality
  s.AddAsset(0, 1, 70, none);    // nobody's
  auto results = s.Finish();
  ASSERT_EQ(results.size(), 5u);
  std::map<int64_t, UnitScorer::Result> r;
  for (const auto& x : results) r[x.unit_id] = x;
  EXPECT_EQ(results[0].unit_id, 4);  // declaration order kept
  // department 4: 90.  school 2 own: (4·40 + 98)/5 = 51.6;
  // school 2 subtree: (160 + 98 + 1.5·90)/6.5 = 393/6.5
  EXPECT_DOUBLE_EQ(r[4].score, 90);
  EXPECT_DOUBLE_EQ(r[2].own_score, 51.6);
  EXPECT_DOUBLE_EQ(r[2].score, 393 / 6.5);
  EXPECT_DOUBLE_EQ(r[3].score, 100);
  EXPECT_DOUBLE_EQ(r[5].score, 100);  // no assets: base
  // province: (160 + 98 + 135 + 100)/7.5
  EXPECT_DOUBLE_EQ(r[1].score, 493 / 7.5);
  EXPECT_DOUBLE_EQ(r[1].own_score, 100);
  EXPECT_EQ(r[1].subtree.assets, 4);
  EXPECT_EQ(s.unowned().assets, 1);
}

TEST(ScoringTest, ParentCycleIsCut) {
  const auto t = Table();
  UnitScorer s(t);
  s.AddUnit(1, 2);
  s.AddUnit(2, 1);
  s.AddAsset(1, 1, 50, {});
  s.AddAsset(2, 1, 100, {});
  auto r = s.Finish();
  ASSERT_EQ(r.size(), 2u);
  // Each unit counts its own asset once; no infinite loop, no double count.
  EXPECT_LE(r[0].subtree.assets + r[1].subtree.assets, 3);
}

class ComputeScoresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("c.db");
    auto store = inventory::Store::Open(path_);
    ASSERT_TRUE(store);
    store_ = std::move(*store);
    RawDb db(path_);
    db.Exec(
        "INSERT INTO units (id, parent_id, code, name, level) VALUES "
        "(1, NULL, 'prov', 'Province', 'province'), (2, 1, 'univ', 'University', 'school'), "
        "(3, 1, 'school', 'School', 'school');"
        "INSERT INTO scans (id) VALUES (1);"
        "INSERT INTO assets (id, address, unit_id, criticality, cii_status, ledger_status) VALUES "
        "(10, '10.1.0.1', 2, 'high', 'confirmed', 'registered'),"
        "(11, '10.1.0.2', 2, '', '', 'registered'),"
        "(12, '10.2.0.1', 3, '', '', 'registered'),"
        "(13, '203.0.113.7', NULL, '', '', 'shadow'),"
        "(14, '198.51.100.1', NULL, '', '', 'shadow');");
    // Asset 10: high, overdue, reopened once → 5·4·1.5·2 = 60 → 40.
    // Asset 11: medium → 98; plus a verified critical that does not count.
    // Asset 12: nothing counted (false positive).
    // Asset 13: shadow carrying univ's domain: high 双非 finding 5 → 100 − 5 − 5 = 90, charged to univ.
    // Asset 14: shadow, no domain: medium asset-unowned 2 → 98, unowned.
    const std::string due = std::to_string(kNow - kDay);
    db.Exec(
        "INSERT INTO findings (id, key, rule_id, severity, status, asset_id, address, due_at, "
        "detail_json) VALUES "
        "(1, 'k1', 'redis-noauth', 'high', 'acknowledged', 10, '10.1.0.1', " + due + ", '{}'),"
        "(2, 'k2', 'ssh-old', 'medium', 'open', 11, '10.1.0.2', 0, '{}'),"
        "(3, 'k3', 'rdp', 'critical', 'verified', 11, '10.1.0.2', 0, '{}'),"
        "(4, 'k4', 'telnet', 'critical', 'false_positive', 12, '10.2.0.1', 0, '{}'),"
        "(5, 'k5', 'shuangfei-domain-outside-range', 'high', 'open', 13, '203.0.113.7', 0, "
        "'{\"ledger\":{\"domain\":{\"unit\":\"univ\",\"name\":\"a.univ.edu\"}}}'),"
        "(6, 'k6', 'asset-unowned', 'medium', 'open', 14, '198.51.100.1', 0, '{}');"
        "INSERT INTO finding_events (finding_id, time, to_status) VALUES "
        "(1, 1, 'open'), (1, 2, 'fixed'), (1, 3, 'reopened'), (1, 4, 'acknowledged');");
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<inventory::Store> store_;
};

TEST_F(ComputeScoresTest, StoresHandComputedUnitScoresAndRanks) {
  auto run = ComputeScores(*store_, Table(), kNow, "tester");
  ASSERT_TRUE(run) << run.error().message();
  EXPECT_EQ(run->units, 3);
  EXPECT_EQ(run->assets, 5);
  EXPECT_EQ(run->findings, 4);  // 1, 2, 5, 6
  EXPECT_EQ(run->unowned.assets, 1);

  std::map<std::string, inventory::RankedUnitScore> by_code;
  std::vector<std::string> order;
  ASSERT_TRUE(store_->ForEachRankedUnitScore(run->run_id, [&](const auto& r) -> Status {
    by_code[r.code] = r;
    order.push_back(r.code);
    return Ok();
  }));
  ASSERT_EQ(order.size(), 3u);
  // univ: assets 10 (m 4, 40), 11 (m 1, 98), 13 (m 1, 90): (160 + 98 + 90)/6 = 58
  EXPECT_DOUBLE_EQ(by_code["univ"].score.score, 58);
  EXPECT_EQ(by_code["univ"].score.assets, 3);
  EXPECT_EQ(by_code["univ"].score.overdue, 1);
  EXPECT_EQ(by_code["univ"].score.repeat, 1);
  EXPECT_EQ(by_code["univ"].score.shadow, 1);
  EXPECT_EQ(by_code["univ"].score.critical_high, 2);
  EXPECT_DOUBLE_EQ(by_code["school"].score.score, 100);
  // province: (348 + 100)/7 = 64
  EXPECT_DOUBLE_EQ(by_code["prov"].score.score, 64);
  // Ranked within the parent: school (100) first, univ (58) second.
  EXPECT_EQ(by_code["school"].rank, 1);
  EXPECT_EQ(by_code["univ"].rank, 2);
  EXPECT_EQ(by_code["univ"].siblings, 2);
  EXPECT_EQ(by_code["univ"].parent_name, "Province");
  EXPECT_FALSE(by_code["univ"].has_previous);

  // A second run after the fix: the trend shows the previous score.
  RawDb(path_).Exec("UPDATE findings SET status = 'verified' WHERE id = 1");
  auto second = ComputeScores(*store_, Table(), kNow + kDay, "tester");
  ASSERT_TRUE(second);
  ASSERT_TRUE(store_->ForEachRankedUnitScore(second->run_id, [&](const auto& r) -> Status {
    if (r.code == "univ") {
      EXPECT_TRUE(r.has_previous);
      EXPECT_DOUBLE_EQ(r.previous_score, 58);
      EXPECT_DOUBLE_EQ(r.score.score, (400 + 98 + 90) / 6.0);
    }
    return Ok();
  }));
  auto runs = store_->ListScoreRuns(10);
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].id, run->run_id);  // oldest first
  EXPECT_DOUBLE_EQ((*runs)[0].mean_top_score, 64);
}

TEST_F(ComputeScoresTest, AccountableQueriesStreamByUnit) {
  std::vector<int64_t> counted, overdue, repeat;
  ASSERT_TRUE(store_->ForEachAccountableFinding(kNow, false, [&](const auto& a) -> Status {
    counted.push_back(a.finding.id);
    return Ok();
  }));
  // Unowned first (code ''), then univ (high before medium), no verified/false positive.
  EXPECT_EQ(counted, (std::vector<int64_t>{5, 6, 1, 2}));
  ASSERT_TRUE(store_->ForEachAccountableFinding(kNow, true, [&](const auto& a) -> Status {
    overdue.push_back(a.finding.id);
    EXPECT_EQ(a.unit_code, "univ");
    return Ok();
  }));
  EXPECT_EQ(overdue, (std::vector<int64_t>{1}));
  ASSERT_TRUE(store_->ForEachRepeatFinding([&](const auto& a) -> Status {
    repeat.push_back(a.finding.id);
    EXPECT_EQ(a.reopened_at, 3);
    EXPECT_EQ(a.fixed_at, 2);
    EXPECT_EQ(a.reopen_count, 1);
    return Ok();
  }));
  EXPECT_EQ(repeat, (std::vector<int64_t>{1}));
}

}  // namespace
}  // namespace ciiscope::assessor
