#pragma once
// A real SQLite inventory for the sectioned report kinds (scorecard, diff,
// drill), with hostile values (test_model.h) in unit names, owners, titles,
// host names, products, drill names and monitor events, and a unit named
// "../../x". Times are fixed (kT0 …) so reports are reproducible.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <string>

namespace ciiscope::reports::testing {

inline constexpr int64_t kT0 = 1'764'000'000'000;  // 2025-11-24T16:00:00Z
inline constexpr int64_t kHour = 3'600'000;

// Raw SQL on a test database; binds every '?' in order (int64_t or
// std::string values). Failures are test failures.
class Sql {
 public:
  explicit Sql(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
  }
  ~Sql() { sqlite3_close(db_); }
  Sql(const Sql&) = delete;
  Sql& operator=(const Sql&) = delete;
  template <typename... Args>
  void Run(const char* sql, const Args&... args) {
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db_);
    int i = 0;
    (Bind(stmt, ++i, args), ...);
    EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE) << sql << ": " << sqlite3_errmsg(db_);
    sqlite3_finalize(stmt);
  }

 private:
  static void Bind(sqlite3_stmt* s, int i, int64_t v) { sqlite3_bind_int64(s, i, v); }
  static void Bind(sqlite3_stmt* s, int i, int v) { sqlite3_bind_int64(s, i, v); }
  static void Bind(sqlite3_stmt* s, int i, const std::string& v) {
    sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  sqlite3* db_ = nullptr;
};

// Creates (or fills) the database at path: 3 units, 2 scans (1 at kT0+1h,
// 2 at kT0+3h), 3 assets, 3 services, 3 findings (one new in scan 2, one
// fixed by scan 2, one overdue and reopened), a drill from kT0 to kT0+4h
// with events and 2 monitor events, and 2 score runs (ids 1, 2).
void FillHostileStore(const std::string& path);

}  // namespace ciiscope::reports::testing
