#include "inventory/store/sqlite_util.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <list>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "core/net.h"
#include "inventory/store/statement_cache.h"

namespace ciiscope::inventory::sqlite {
namespace {

// A short, single-line excerpt of a statement for error messages.
std::string SqlExcerpt(std::string_view sql) {
  std::string out;
  for (char c : sql) {
    if (out.size() >= 48) {
      out += "…";
      break;
    }
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (c == ' ' && !out.empty() && out.back() == ' ') continue;
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Compiled statements kept per connection for reuse, most recently given
// back first. Connections are used by one thread at a time, but Stores of
// different threads share this map, hence the mutex.
struct CachedStatement {
  std::string sql;
  sqlite3_stmt* stmt;
};
struct StatementCaches {
  std::mutex mutex;
  std::unordered_map<sqlite3*, std::list<CachedStatement>> by_db;
};

StatementCaches& Caches() {
  // Never destroyed: statements may be released during static destruction.
  static auto* caches = new StatementCaches;
  return *caches;
}

sqlite3_stmt* TakeCached(sqlite3* db, std::string_view sql) {
  StatementCaches& caches = Caches();
  std::lock_guard lock(caches.mutex);
  auto it = caches.by_db.find(db);
  if (it == caches.by_db.end()) return nullptr;
  auto& list = it->second;
  for (auto entry = list.begin(); entry != list.end(); ++entry) {
    if (entry->sql != sql) continue;
    sqlite3_stmt* stmt = entry->stmt;
    list.erase(entry);
    return stmt;
  }
  return nullptr;
}

}  // namespace

void EnableStatementCache(sqlite3* db) {
  StatementCaches& caches = Caches();
  std::lock_guard lock(caches.mutex);
  caches.by_db.try_emplace(db);
}

void FinalizeCachedStatements(sqlite3* db) {
  std::list<CachedStatement> list;
  {
    StatementCaches& caches = Caches();
    std::lock_guard lock(caches.mutex);
    auto it = caches.by_db.find(db);
    if (it == caches.by_db.end()) return;
    list = std::move(it->second);
    caches.by_db.erase(it);
  }
  for (auto& entry : list) sqlite3_finalize(entry.stmt);
}

Error DbError(sqlite3* db, std::string_view path, std::string_view what) {
  std::string message(path);
  message += ": ";
  message += what;
  if (db != nullptr) {
    message += ": ";
    message += sqlite3_errmsg(db);
  }
  return Error(ErrorCode::kDatabase, std::move(message));
}

Result<Statement> Statement::Prepare(sqlite3* db, std::string_view path, std::string_view sql) {
  if (sqlite3_stmt* cached = TakeCached(db, sql)) return Statement(db, path, cached);
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return DbError(db, path, "cannot prepare \"" + SqlExcerpt(sql) + "\"");
  }
  return Statement(db, path, stmt);
}

namespace {

// Gives a statement back to its connection's cache, or finalizes it.
void Release(sqlite3* db, sqlite3_stmt* stmt) {
  if (stmt == nullptr) return;
  // Cached under the text SQLite compiled (the whole text, or the first
  // statement of a multi-statement text, which Prepare never matches).
  const char* sql = sqlite3_sql(stmt);
  sqlite3_stmt* evicted = stmt;
  if (sql != nullptr) {
    StatementCaches& caches = Caches();
    std::lock_guard lock(caches.mutex);
    auto it = caches.by_db.find(db);
    if (it != caches.by_db.end()) {
      // Reset: no read transaction or bindings outlive the owner.
      sqlite3_reset(stmt);
      sqlite3_clear_bindings(stmt);
      auto& list = it->second;
      list.push_front({sql, stmt});
      evicted = nullptr;
      if (list.size() > kCachedStatements) {
        evicted = list.back().stmt;
        list.pop_back();
      }
    }
  }
  sqlite3_finalize(evicted);
}

}  // namespace

Statement::~Statement() { Release(db_, stmt_); }

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), path_(other.path_), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    Release(db_, stmt_);
    db_ = other.db_;
    path_ = other.path_;
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

// Bind errors (index out of range, misuse) are programming errors that the
// following Step() reports, so the binders themselves return *this.
Statement& Statement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::BindDouble(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
  return *this;
}

Statement& Statement::Bind(int index, std::string_view text) {
  // A non-null pointer even for "" so the value is '' rather than NULL.
  static const char kEmpty[] = "";
  sqlite3_bind_text64(stmt_, index, text.empty() ? kEmpty : text.data(), text.size(),
                      SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Statement& Statement::BindBlob(int index, std::string_view bytes) {
  if (bytes.empty()) {
    sqlite3_bind_zeroblob(stmt_, index, 0);
  } else {
    sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  }
  return *this;
}

Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Statement& Statement::BindId(int index, int64_t id) {
  return id == 0 ? BindNull(index) : Bind(index, id);
}

Error Statement::StepError() const {
  return DbError(db_, path_, "\"" + SqlExcerpt(sqlite3_sql(stmt_)) + "\" failed");
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Error error = StepError();
  sqlite3_reset(stmt_);
  return error;
}

Status Statement::Run() {
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) break;
  }
  Reset();
  return Ok();
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Statement::Int(int col) const { return sqlite3_column_int64(stmt_, col); }

double Statement::Double(int col) const { return sqlite3_column_double(stmt_, col); }

bool Statement::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

std::string Statement::Text(int col) const {
  const unsigned char* text = sqlite3_column_text(stmt_, col);
  int size = sqlite3_column_bytes(stmt_, col);  // after the pointer, per the SQLite docs
  if (text == nullptr) return std::string();
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size));
}

std::string Statement::Blob(int col) const {
  const void* data = sqlite3_column_blob(stmt_, col);
  int size = sqlite3_column_bytes(stmt_, col);
  if (data == nullptr) return std::string();
  return std::string(static_cast<const char*>(data), static_cast<size_t>(size));
}

Status Exec(sqlite3* db, std::string_view path, const std::string& sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string text = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    return Error(ErrorCode::kDatabase, std::string(path) + ": \"" + SqlExcerpt(sql) +
                                           "\" failed: " + text);
  }
  return Ok();
}

std::string ToJsonArray(const std::vector<std::string>& items) {
  nlohmann::json array = nlohmann::json::array();
  for (const auto& item : items) array.push_back(item);
  return array.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string ToJsonArray(const std::vector<int64_t>& items) {
  nlohmann::json array = nlohmann::json::array();
  for (int64_t item : items) array.push_back(item);
  return array.dump();
}

std::vector<std::string> StringsFromJson(std::string_view json) {
  std::vector<std::string> out;
  auto parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) return out;
  for (const auto& item : parsed) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

std::vector<int64_t> IdsFromJson(std::string_view json) {
  std::vector<int64_t> out;
  auto parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) return out;
  for (const auto& item : parsed) {
    if (item.is_number_integer()) out.push_back(item.get<int64_t>());
  }
  return out;
}

std::string AddressSortKey(std::string_view address) {
  auto ip = core::IpAddress::Parse(address);
  if (!ip) return "9" + std::string(address);
  std::string key(ip->is_v4() ? "4" : "6");
  const auto& bytes = ip->bytes();
  char hex[3];
  for (size_t i = ip->is_v4() ? 12 : 0; i < bytes.size(); ++i) {
    std::snprintf(hex, sizeof hex, "%02x", bytes[i]);
    key += hex;
  }
  return key;
}

}  // namespace ciiscope::inventory::sqlite
