// Opening, migrations and refusals of the SQLite store.
#include "inventory/store/store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "store_test_util.h"

namespace ciiscope::inventory {
namespace {

using testing::OpenOrDie;
using testing::RawDb;
using testing::ReadBytes;
using testing::TempDir;
using testing::WriteBytes;

void ExpectOneLine(const Error& error) {
  EXPECT_EQ(error.message().find('\n'), std::string::npos) << error.message();
  EXPECT_FALSE(error.message().empty());
}

TEST(StoreOpenTest, FreshOpenCreatesCurrentSchemaVersion) {
  TempDir dir;
  const std::string path = dir.File("ciiscope.db");
  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  EXPECT_GE(store->schema_version(), 2);
  EXPECT_EQ(store->schema_version(), Store::kSchemaVersion);
  EXPECT_EQ(store->path(), path);

  EXPECT_EQ(ReadBytes(path).substr(0, 16), std::string("SQLite format 3\0", 16));
  RawDb raw(path);
  EXPECT_EQ(raw.Int("PRAGMA user_version"), Store::kSchemaVersion);
  EXPECT_EQ(raw.Text("PRAGMA journal_mode"), "wal");
  for (const char* table :
       {"units", "unit_scopes", "authorizations", "scans", "assets", "services", "evidence",
        "findings", "finding_events", "drills", "drill_events", "audit_log", "scan_progress"}) {
    EXPECT_EQ(raw.Int(std::string("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' "
                                  "AND name = '") + table + "'"),
              1)
        << table;
  }
  EXPECT_EQ(raw.Int("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND "
                    "name = 'evidence_by_scan_service'"),
            1);
}

TEST(StoreOpenTest, ForeignKeysAreEnforced) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("fk.db"));
  ASSERT_NE(store, nullptr);
  // Evidence for a scan that does not exist violates scans(id).
  Status status = store->RecordObservations(
      4242, {testing::Obs("10.0.0.1", 22, "port_state", "open")});
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code(), ErrorCode::kDatabase);
  ExpectOneLine(status.error());
  // The failed batch was rolled back entirely.
  auto assets = store->ListAssets();
  ASSERT_TRUE(assets);
  EXPECT_TRUE(assets->empty());
}

TEST(StoreOpenTest, ReopenIsIdempotent) {
  TempDir dir;
  const std::string path = dir.File("ciiscope.db");
  int64_t scan_id = 0;
  {
    auto store = OpenOrDie(path);
    ASSERT_NE(store, nullptr);
    scan_id = testing::NewScan(*store, "first");
  }
  for (int i = 0; i < 3; ++i) {
    auto store = OpenOrDie(path);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->schema_version(), Store::kSchemaVersion);
    auto scan = store->GetScan(scan_id);
    ASSERT_TRUE(scan);
    ASSERT_TRUE(scan->has_value());
    EXPECT_EQ((*scan)->profile, "first");
  }
  RawDb raw(path);
  EXPECT_EQ(raw.Int("SELECT COUNT(*) FROM scans"), 1);
}

TEST(StoreOpenTest, NewerSchemaIsRefusedAndFileUntouched) {
  TempDir dir;
  const std::string path = dir.File("future.db");
  {
    RawDb raw(path);
    raw.Exec("CREATE TABLE future_things (id INTEGER PRIMARY KEY, x TEXT)");
    raw.Exec("INSERT INTO future_things (x) VALUES ('from the future')");
    raw.Exec("PRAGMA user_version = 99");
  }
  const std::string before = ReadBytes(path);
  auto store = Store::Open(path);
  ASSERT_FALSE(store.has_value());
  const Error& error = store.error();
  EXPECT_EQ(error.code(), ErrorCode::kDatabase);
  ExpectOneLine(error);
  EXPECT_NE(error.message().find(path), std::string::npos) << error.message();
  EXPECT_NE(error.message().find("99"), std::string::npos) << error.message();
  EXPECT_NE(error.message().find("(" + std::to_string(Store::kSchemaVersion) + ")"),
            std::string::npos)
      << error.message();
  EXPECT_NE(error.message().find("newer"), std::string::npos) << error.message();
  EXPECT_EQ(ReadBytes(path), before);
  RawDb raw(path);
  EXPECT_EQ(raw.Int("PRAGMA user_version"), 99);
}

TEST(StoreOpenTest, TextFileIsRefusedAndUnchanged) {
  TempDir dir;
  const std::string path = dir.File("notes.txt");
  const std::string text = "These are my notes.\nNot a database at all.\n";
  WriteBytes(path, text);
  auto store = Store::Open(path);
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code(), ErrorCode::kDatabase);
  ExpectOneLine(store.error());
  EXPECT_EQ(store.error().message(),
            path + ": not a SQLite database (file is encrypted or is not a database)");
  EXPECT_EQ(ReadBytes(path), text);
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
  EXPECT_FALSE(std::filesystem::exists(path + "-journal"));
}

TEST(StoreOpenTest, ShortAndBinaryGarbageIsRefused) {
  TempDir dir;
  for (const std::string& bytes :
       {std::string("SQL"), std::string("SQLite format 2\0garbage", 23),
        std::string(4096, '\xff')}) {
    const std::string path = dir.File("garbage.db");
    WriteBytes(path, bytes);
    auto store = Store::Open(path);
    ASSERT_FALSE(store.has_value());
    EXPECT_NE(store.error().message().find("not a SQLite database"), std::string::npos)
        << store.error().message();
    EXPECT_EQ(ReadBytes(path), bytes);
  }
}

TEST(StoreOpenTest, CorruptPagesAfterAValidHeaderAreReported) {
  TempDir dir;
  const std::string path = dir.File("corrupt.db");
  // A valid magic followed by nonsense: caught by SQLite on the first read.
  std::string bytes("SQLite format 3\0", 16);
  bytes += std::string(4080, '\x5a');
  WriteBytes(path, bytes);
  auto store = Store::Open(path);
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code(), ErrorCode::kDatabase);
  ExpectOneLine(store.error());
  EXPECT_EQ(store.error().message().rfind(path + ": ", 0), 0u) << store.error().message();
  EXPECT_EQ(ReadBytes(path), bytes);
}

TEST(StoreOpenTest, OtherApplicationsDatabaseIsRefused) {
  TempDir dir;
  const std::string path = dir.File("other.db");
  {
    RawDb raw(path);
    raw.Exec("CREATE TABLE assets (id INTEGER PRIMARY KEY, owner TEXT)");
  }
  const std::string before = ReadBytes(path);
  auto store = Store::Open(path);
  ASSERT_FALSE(store.has_value());
  EXPECT_NE(store.error().message().find("not a ciiscope database"), std::string::npos)
      << store.error().message();
  EXPECT_EQ(ReadBytes(path), before);
}

TEST(StoreOpenTest, MissingDirectoryIsAClearError) {
  TempDir dir;
  const std::string path = dir.File("no/such/dir/ciiscope.db");
  auto store = Store::Open(path);
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code(), ErrorCode::kDatabase);
  ExpectOneLine(store.error());
  EXPECT_NE(store.error().message().find("does not exist"), std::string::npos)
      << store.error().message();
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "no"));
}

TEST(StoreOpenTest, DirectoryAsPathIsAClearError) {
  TempDir dir;
  auto store = Store::Open(dir.path().string());
  ASSERT_FALSE(store.has_value());
  EXPECT_NE(store.error().message().find("is a directory"), std::string::npos)
      << store.error().message();
}

TEST(StoreOpenTest, EmptyFileBecomesADatabase) {
  TempDir dir;
  const std::string path = dir.File("empty.db");
  WriteBytes(path, "");
  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->schema_version(), Store::kSchemaVersion);
}

TEST(StoreTransactionTest, RollsBackOnErrorAndNests) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("tx.db"));
  ASSERT_NE(store, nullptr);
  Status failed = store->Transaction([&]() -> Status {
    EXPECT_TRUE(store->CreateScan(Scan{}).has_value());
    return Error(ErrorCode::kInternal, "boom");
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message(), "boom");
  EXPECT_TRUE(store->ListScans()->empty());

  // A nested failure rolls back only its own part.
  Status outer = store->Transaction([&]() -> Status {
    EXPECT_TRUE(store->CreateScan(Scan{}).has_value());
    Status inner = store->Transaction([&]() -> Status {
      EXPECT_TRUE(store->CreateScan(Scan{}).has_value());
      return Error(ErrorCode::kInternal, "inner");
    });
    EXPECT_FALSE(inner);
    // Store methods that are transactions themselves work inside one.
    return store->AppendAudit("tester", "nested", "digest", "ok");
  });
  ASSERT_TRUE(outer) << outer.error().message();
  EXPECT_EQ(store->ListScans()->size(), 1u);
  EXPECT_EQ(store->ListAudit()->size(), 1u);
}

TEST(StoreScanTest, CreateFinishAndList) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("scans.db"));
  ASSERT_NE(store, nullptr);
  auto empty = store->LatestScan();
  ASSERT_TRUE(empty);
  EXPECT_FALSE(empty->has_value());

  Scan scan;
  scan.profile = "default";
  scan.targets = "10.0.0.0/24 example.edu.cn";
  scan.ports = "22,80,8000-8100";
  scan.engine = "connect";
  scan.operator_name = "alice";
  auto first = store->CreateScan(scan);
  auto second = store->CreateScan(scan);
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(store->FinishScan(*first, "done", R"({"open":3})"));
  Status missing = store->FinishScan(999, "done", "{}");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);

  auto got = store->GetScan(*first);
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->status, "done");
  EXPECT_EQ((*got)->stats_json, R"({"open":3})");
  EXPECT_EQ((*got)->ports, "22,80,8000-8100");
  EXPECT_EQ((*got)->operator_name, "alice");
  EXPECT_GT((*got)->started_at, 0);
  EXPECT_GE((*got)->finished_at, (*got)->started_at);

  auto latest = store->LatestScan();
  ASSERT_TRUE(latest && latest->has_value());
  EXPECT_EQ((*latest)->id, *second);
  EXPECT_EQ((*latest)->status, "running");
  EXPECT_EQ(store->ListScans()->size(), 2u);
  EXPECT_FALSE(store->GetScan(12345)->has_value());
}

}  // namespace
}  // namespace ciiscope::inventory
