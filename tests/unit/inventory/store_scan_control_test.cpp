// Authorizations and scan checkpoints (migration 0002) on real SQLite files.
#include <gtest/gtest.h>

#include "inventory/store/store.h"
#include "store_test_util.h"

namespace ciiscope::inventory {
namespace {

using testing::OpenOrDie;
using testing::RawDb;
using testing::TempDir;

TEST(StoreAuthorizationTest, FreshDatabaseHoldsBuiltinLoopback) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("a.db"));
  ASSERT_NE(store, nullptr);
  auto all = store->ListAuthorizations();
  ASSERT_TRUE(all) << all.error().message();
  ASSERT_EQ(all->size(), 1u);
  const Authorization& a = all->front();
  EXPECT_EQ(a.reference, "builtin-loopback");
  EXPECT_EQ(a.scope, (std::vector<std::string>{"127.0.0.0/8", "::1/128"}));
  EXPECT_EQ(a.valid_to, 0);
  auto valid = store->ValidAuthorizations(1'900'000'000'000);
  ASSERT_TRUE(valid);
  EXPECT_EQ(valid->size(), 1u);
}

TEST(StoreAuthorizationTest, AddListAndValidityWindow) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("a.db"));
  ASSERT_NE(store, nullptr);
  Authorization a;
  a.reference = "EDU-2026-017";
  a.issuer = "Provincial Education Bureau";
  a.scope = {"10.1.0.0/16", "*.example.edu"};
  a.valid_from = 1000;
  a.valid_to = 2000;
  a.created_by = "alice";
  auto id = store->AddAuthorization(a);
  ASSERT_TRUE(id) << id.error().message();
  auto all = store->ListAuthorizations();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  const Authorization& got = all->back();
  EXPECT_EQ(got.id, *id);
  EXPECT_EQ(got.reference, a.reference);
  EXPECT_EQ(got.issuer, a.issuer);
  EXPECT_EQ(got.scope, a.scope);
  EXPECT_EQ(got.created_by, "alice");
  EXPECT_GT(got.created_at, 0);
  for (auto [now, expected] : std::vector<std::pair<int64_t, size_t>>{
           {999, 1}, {1000, 2}, {2000, 2}, {2001, 1}}) {
    auto valid = store->ValidAuthorizations(now);
    ASSERT_TRUE(valid);
    EXPECT_EQ(valid->size(), expected) << "at " << now;
  }
}

TEST(StoreCheckpointTest, SaveReplaceAndReadBack) {
  TempDir dir;
  const std::string path = dir.File("c.db");
  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  Scan scan;
  scan.targets = "127.0.0.1";
  scan.shard = "2/3";
  scan.seed = ~uint64_t{0} - 5;
  scan.options_json = R"({"targets":["127.0.0.1"]})";
  auto scan_id = store->CreateScan(scan);
  ASSERT_TRUE(scan_id);
  auto read = store->GetScan(*scan_id);
  ASSERT_TRUE(read && *read);
  EXPECT_EQ((*read)->shard, "2/3");
  EXPECT_EQ((*read)->seed, ~uint64_t{0} - 5);
  EXPECT_EQ((*read)->options_json, scan.options_json);

  auto none = store->GetCheckpoint(*scan_id);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  ScanCheckpoint cp;
  cp.scan_id = *scan_id;
  cp.next_position = 10;
  cp.pending = {3, 7};
  cp.total = 100;
  cp.done = 8;
  cp.open = 2;
  cp.runner_pid = 4242;
  cp.runner_start = 99;
  ASSERT_TRUE(store->SaveCheckpoint(cp));
  cp.next_position = 20;
  cp.pending = {};
  cp.done = 20;
  ASSERT_TRUE(store->SaveCheckpoint(cp));
  auto got = store->GetCheckpoint(*scan_id);
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->next_position, 20u);
  EXPECT_TRUE((*got)->pending.empty());
  EXPECT_EQ((*got)->done, 20u);
  EXPECT_EQ((*got)->total, 100u);
  EXPECT_EQ((*got)->runner_pid, 4242);
  EXPECT_EQ((*got)->runner_start, 99);
  EXPECT_GT((*got)->updated_at, 0);
  RawDb raw(path);
  EXPECT_EQ(raw.Int("SELECT COUNT(*) FROM scan_progress"), 1);

  ASSERT_TRUE(store->FinishScan(*scan_id, "interrupted", "{}"));
  ASSERT_TRUE(store->ReopenScan(*scan_id));
  auto reopened = store->GetScan(*scan_id);
  ASSERT_TRUE(reopened && *reopened);
  EXPECT_EQ((*reopened)->status, "running");
  EXPECT_EQ((*reopened)->finished_at, 0);
  auto missing = store->ReopenScan(9999);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace ciiscope::inventory

namespace ciiscope::inventory {
namespace {

TEST(StoreMigrationTest, Version1DatabaseGainsTheBuiltinAuthorizationAndKeepsScans) {
  TempDir dir;
  const std::string path = dir.File("v1.db");
  int64_t scan_id = 0;
  {
    auto store = OpenOrDie(path);
    ASSERT_NE(store, nullptr);
    scan_id = testing::NewScan(*store, "old");
  }
  {
    // Roll the file back to what version 1 wrote (undo 0009 … 0002).
    RawDb raw(path);
    raw.Exec("ALTER TABLE units DROP COLUMN scan_rate");
    raw.Exec("DROP INDEX assets_by_last_seen");
    raw.Exec("ALTER TABLE services DROP COLUMN version_since");
    for (const char* table : {"config_state", "spotchecks", "lookback_units", "keyperiod_alerts",
                              "keyperiod_items", "keyperiod_baselines", "alerts_sent",
                              "schedule_state", "jobs"}) {
      raw.Exec(std::string("DROP TABLE ") + table);
    }
    raw.Exec("DROP TABLE unit_scores");
    raw.Exec("DROP TABLE score_runs");
    raw.Exec("DROP INDEX assets_by_cii");
    for (const char* column :
         {"data_tags_json", "identified_by", "cii_decided_by", "cii_decided_at", "cii_reason"}) {
      raw.Exec(std::string("ALTER TABLE assets DROP COLUMN ") + column);
    }
    raw.Exec("DROP TABLE monitor_events");
    for (const char* column : {"kind", "scope_json", "planned_from", "planned_until", "created_by"}) {
      raw.Exec(std::string("ALTER TABLE drills DROP COLUMN ") + column);
    }
    raw.Exec("DROP TABLE scan_progress");
    raw.Exec("DELETE FROM authorizations");
    raw.Exec("ALTER TABLE authorizations DROP COLUMN created_by");
    raw.Exec("ALTER TABLE scans DROP COLUMN seed");
    raw.Exec("ALTER TABLE scans DROP COLUMN options_json");
    raw.Exec("PRAGMA user_version = 1");
  }
  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->schema_version(), Store::kSchemaVersion);
  auto scan = store->GetScan(scan_id);
  ASSERT_TRUE(scan && *scan);
  EXPECT_EQ((*scan)->profile, "old");
  EXPECT_EQ((*scan)->seed, 0u);
  auto all = store->ListAuthorizations();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->front().reference, "builtin-loopback");
  // 0007's tables are back and usable.
  EXPECT_TRUE(store->SetConfigState("k", "v"));
  auto lookback = store->ListLookback();
  EXPECT_TRUE(lookback && lookback->empty());
  // 0009's units.scan_rate is back: a unit's rate round-trips.
  Unit u;
  u.code = "lab";
  u.name = "Lab";
  u.level = "school";
  u.rate = 12.5;
  ASSERT_TRUE(store->ImportUnits({u}));
  auto units = store->ListUnits();
  ASSERT_TRUE(units);
  ASSERT_EQ(units->size(), 1u);
  EXPECT_EQ(units->front().rate, 12.5);
}

}  // namespace
}  // namespace ciiscope::inventory
