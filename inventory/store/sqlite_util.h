#pragma once
// Private helpers of the SQLite store: an RAII prepared statement with typed
// binds and column reads, and JSON list (de)serialisation. Not part of the
// inventory API; only inventory/store/*.cpp include this.

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace ciiscope::inventory::sqlite {

// "PATH: what: <sqlite message>" as one line (kDatabase).
Error DbError(sqlite3* db, std::string_view path, std::string_view what);

// A prepared statement. Binds are 1-based (as in SQLite), columns 0-based.
// Text and blobs are bound with SQLITE_TRANSIENT and explicit lengths, so
// embedded NULs and invalid UTF-8 pass through unchanged.
class Statement {
 public:
  static Result<Statement> Prepare(sqlite3* db, std::string_view path, std::string_view sql);
  Statement() = default;
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view text);
  Statement& BindBlob(int index, std::string_view bytes);
  Statement& BindNull(int index);
  Statement& BindDouble(int index, double value);
  // Binds NULL for 0 (an id "not set"), else the id.
  Statement& BindId(int index, int64_t id);

  // true: a row is ready; false: done. Errors name the statement.
  Result<bool> Step();
  // Steps to completion (for writes), then resets for reuse.
  Status Run();
  // Resets and clears bindings for the next use.
  void Reset();

  int64_t Int(int col) const;
  double Double(int col) const;
  bool IsNull(int col) const;
  std::string Text(int col) const;
  std::string Blob(int col) const;

 private:
  Statement(sqlite3* db, std::string_view path, sqlite3_stmt* stmt)
      : db_(db), path_(path), stmt_(stmt) {}
  Error StepError() const;

  sqlite3* db_ = nullptr;
  std::string_view path_;  // owned by the Store, outlives the statement
  sqlite3_stmt* stmt_ = nullptr;
};

// Runs SQL text without values (schema, PRAGMA, BEGIN/COMMIT).
Status Exec(sqlite3* db, std::string_view path, const std::string& sql);

// JSON array <-> list fields. Invalid UTF-8 is replaced (U+FFFD) when
// writing, since JSON cannot carry it; unparseable text reads as empty.
std::string ToJsonArray(const std::vector<std::string>& items);
std::string ToJsonArray(const std::vector<int64_t>& items);
std::vector<std::string> StringsFromJson(std::string_view json);
std::vector<int64_t> IdsFromJson(std::string_view json);

// Sort key of a textual address: IPv4 before IPv6, numeric order; text that
// is not an address sorts last, by text.
std::string AddressSortKey(std::string_view address);

}  // namespace ciiscope::inventory::sqlite
