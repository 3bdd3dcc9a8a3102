// The per-connection statement cache of the SQLite store: reuse, reset state,
// bound size, schema changes and finalization on close.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "inventory/store/sqlite_util.h"
#include "inventory/store/statement_cache.h"
#include "store_test_util.h"

namespace ciiscope::inventory {
namespace {

using sqlite::Statement;

// Statements alive on the connection (cached or in use).
int LiveStatements(sqlite3* db) {
  int n = 0;
  for (sqlite3_stmt* s = sqlite3_next_stmt(db, nullptr); s != nullptr; s = sqlite3_next_stmt(db, s)) {
    ++n;
  }
  return n;
}

int BusyStatements(sqlite3* db) {
  int n = 0;
  for (sqlite3_stmt* s = sqlite3_next_stmt(db, nullptr); s != nullptr; s = sqlite3_next_stmt(db, s)) {
    if (sqlite3_stmt_busy(s)) ++n;
  }
  return n;
}

class StatementCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("cache-" + std::to_string(getpid()) + ".db");
    ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                              nullptr),
              SQLITE_OK);
    ASSERT_TRUE(sqlite::Exec(db_, path_, "PRAGMA journal_mode = WAL"));
    ASSERT_TRUE(sqlite::Exec(db_, path_, "CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1), (2), (3)"));
  }
  void TearDown() override {
    sqlite::FinalizeCachedStatements(db_);
    EXPECT_EQ(LiveStatements(db_), 0);
    EXPECT_EQ(sqlite3_close(db_), SQLITE_OK);
  }
  // Steps `sql` once (binding ?1 = bind when given) and returns column 0,
  // or -1 for NULL; the statement is dropped with its row still pending.
  int64_t FirstValue(const std::string& sql, std::optional<int64_t> bind = std::nullopt) {
    auto stmt = Statement::Prepare(db_, path_, sql);
    EXPECT_TRUE(stmt);
    if (!stmt) return -2;
    if (bind) stmt->Bind(1, *bind);
    auto row = stmt->Step();
    EXPECT_TRUE(row && *row);
    return stmt->IsNull(0) ? -1 : stmt->Int(0);
  }

  testing::TempDir dir_;
  std::string path_;
  sqlite3* db_ = nullptr;
};

TEST_F(StatementCacheTest, WithoutTheCacheStatementsAreFinalized) {
  EXPECT_EQ(FirstValue("SELECT a FROM t ORDER BY a"), 1);
  EXPECT_EQ(LiveStatements(db_), 0);
}

TEST_F(StatementCacheTest, SameSqlReusesOneCompiledStatementResetAndUnbound) {
  sqlite::EnableStatementCache(db_);
  EXPECT_EQ(FirstValue("SELECT ?1 + 0", 5), 5);
  EXPECT_EQ(LiveStatements(db_), 1);
  // Reused: still one statement; the old binding is gone (NULL + 0 = NULL).
  EXPECT_EQ(FirstValue("SELECT ?1 + 0"), -1);
  EXPECT_EQ(LiveStatements(db_), 1);
  // Given back mid-iteration, yet reset: no statement holds a read.
  EXPECT_EQ(FirstValue("SELECT a FROM t ORDER BY a"), 1);
  EXPECT_EQ(FirstValue("SELECT a FROM t ORDER BY a"), 1);
  EXPECT_EQ(LiveStatements(db_), 2);
  EXPECT_EQ(BusyStatements(db_), 0);
  EXPECT_TRUE(sqlite::Exec(db_, path_, "PRAGMA wal_checkpoint(TRUNCATE)"));
}

TEST_F(StatementCacheTest, TwoLiveStatementsOfTheSameSqlAreIndependent) {
  sqlite::EnableStatementCache(db_);
  auto first = Statement::Prepare(db_, path_, "SELECT a FROM t ORDER BY a");
  auto second = Statement::Prepare(db_, path_, "SELECT a FROM t ORDER BY a");
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(*first->Step());
  ASSERT_TRUE(*first->Step());
  ASSERT_TRUE(*second->Step());
  EXPECT_EQ(first->Int(0), 2);
  EXPECT_EQ(second->Int(0), 1);
}

TEST_F(StatementCacheTest, CacheIsBoundedPerConnection) {
  sqlite::EnableStatementCache(db_);
  for (int i = 0; i < static_cast<int>(sqlite::kCachedStatements) + 40; ++i) {
    EXPECT_EQ(FirstValue("SELECT " + std::to_string(i)), i);
  }
  EXPECT_EQ(LiveStatements(db_), static_cast<int>(sqlite::kCachedStatements));
}

TEST_F(StatementCacheTest, CachedStatementSeesSchemaChanges) {
  sqlite::EnableStatementCache(db_);
  auto count_columns = [&] {
    auto stmt = Statement::Prepare(db_, path_, "SELECT * FROM t ORDER BY a");
    EXPECT_TRUE(stmt && *stmt->Step());
    return stmt->IsNull(1) ? 1 : 2;  // column 1 is NULL past the end
  };
  EXPECT_EQ(count_columns(), 1);
  ASSERT_TRUE(sqlite::Exec(db_, path_, "ALTER TABLE t ADD COLUMN b INTEGER DEFAULT 7"));
  EXPECT_EQ(count_columns(), 2);
}

TEST_F(StatementCacheTest, StatementOutlivingTheCacheIsFinalized) {
  sqlite::EnableStatementCache(db_);
  {
    auto stmt = Statement::Prepare(db_, path_, "SELECT a FROM t");
    ASSERT_TRUE(stmt);
    sqlite::FinalizeCachedStatements(db_);
    EXPECT_EQ(LiveStatements(db_), 1);
  }
  EXPECT_EQ(LiveStatements(db_), 0);
}

}  // namespace
}  // namespace ciiscope::inventory
