// Store: opening, migrations, transactions, scans and the audit log.
// Evidence ingest and reads live in store_evidence.cpp, findings in
// store_findings.cpp, the thread-safe sink in store_sink.cpp.
#include "inventory/store/store.h"
#include "inventory/store/store_rows.h"

#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <string>

#include "core/clock.h"
#include "core/hash.h"
#include "inventory/store/migrations_gen.h"
#include "inventory/store/sqlite_util.h"
#include "inventory/store/statement_cache.h"
#include "inventory/store/trail.h"

namespace ciiscope::inventory {
namespace {

using sqlite::Statement;

static_assert(std::size(migrations::kAll) > 0 &&
                  migrations::kAll[std::size(migrations::kAll) - 1].version ==
                      Store::kSchemaVersion,
              "Store::kSchemaVersion must equal the highest migration number");

// Page cache bound of a connection, KiB.
constexpr int64_t kPageCacheKiB = 32 * 1024;
// WAL auto-checkpoint interval, pages.
constexpr int64_t kWalCheckpointPages = 8192;

// PRAGMA application_id of ciiscope databases: "CIIS".
constexpr int64_t kApplicationId = 0x43494953;
constexpr int kBusyTimeoutMs = 5000;
constexpr char kSqliteMagic[16] = {'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f',
                                   'o', 'r', 'm', 'a', 't', ' ', '3', '\0'};
constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

Error DbFail(std::string_view path, std::string_view message) {
  return Error(ErrorCode::kDatabase, std::string(path) + ": " + std::string(message));
}

Error NotSqlite(std::string_view path) {
  return DbFail(path, "not a SQLite database (file is encrypted or is not a database)");
}

// Checks the file before SQLite touches it, so that a file which is not a
// database is never modified (SQLite would happily write a journal or a new
// header into some files) and the error says what is wrong.
Status CheckFile(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return DbFail(path, "cannot access (" + ec.message() + ")");
  }
  if (!fs::exists(status)) {
    fs::path parent = fs::path(path).parent_path();
    if (parent.empty()) parent = ".";
    if (!fs::is_directory(parent, ec)) {
      return DbFail(path, "cannot create database: directory " + parent.string() +
                              " does not exist");
    }
    if (::access(parent.c_str(), W_OK | X_OK) != 0) {
      return DbFail(path, "cannot create database in " + parent.string() + " (" +
                              std::strerror(errno) + ")");
    }
    return Ok();
  }
  if (fs::is_directory(status)) return DbFail(path, "is a directory, not a database file");
  uintmax_t size = fs::file_size(path, ec);
  if (ec) return DbFail(path, "cannot access (" + ec.message() + ")");
  if (size == 0) return Ok();  // SQLite treats an empty file as a new database
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return DbFail(path, std::string("cannot read (") + std::strerror(errno) + ")");
  }
  char header[sizeof kSqliteMagic] = {};
  size_t n = std::fread(header, 1, sizeof header, file);
  std::fclose(file);
  if (n != sizeof header || std::memcmp(header, kSqliteMagic, sizeof header) != 0) {
    return NotSqlite(path);
  }
  return Ok();
}

// Reads an integer PRAGMA. This is the first query on a fresh connection:
// it reads the header and detects files that are not databases, writing
// nothing.
Result<int64_t> ReadPragma(sqlite3* db, const std::string& path, std::string_view pragma) {
  CII_ASSIGN_OR_RETURN(Statement stmt,
                       Statement::Prepare(db, path, "PRAGMA " + std::string(pragma)));
  auto row = stmt.Step();
  if (!row) {
    int code = sqlite3_errcode(db) & 0xff;
    if (code == SQLITE_NOTADB) return NotSqlite(path);
    if (code == SQLITE_CORRUPT) return DbFail(path, "database is corrupt (" +
                                                        std::string(sqlite3_errmsg(db)) + ")");
    return std::move(row).error();
  }
  return *row ? stmt.Int(0) : 0;
}

}  // namespace

Store::Store(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

Store::~Store() {
  sqlite::FinalizeCachedStatements(db_);
  sqlite3_close_v2(db_);
  if (anchor_fd_ >= 0) ::close(anchor_fd_);
}

Status Store::HoldTrailAnchor() {
  if (anchor_fd_ >= 0) return Ok();
  CII_ASSIGN_OR_RETURN(anchor_fd_, OpenTrailAnchor(path_));
  return Ok();
}

Result<std::unique_ptr<Store>> Store::Open(const std::string& path) {
  if (path.empty()) return Error(ErrorCode::kDatabase, "database path is empty");
  if (path != ":memory:") CII_RETURN_IF_ERROR(CheckFile(path));

  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string why = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    int sys = db != nullptr ? sqlite3_system_errno(db) : 0;
    if (sys != 0) why = std::strerror(sys);
    sqlite3_close_v2(db);
    return DbFail(path, "cannot open database (" + why + ")");
  }
  std::unique_ptr<Store> store(new Store(db, path));
  sqlite::EnableStatementCache(db);
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  if (sqlite3_db_readonly(db, "main") == 1) {
    return DbFail(path, "database is read-only (no write permission)");
  }

  // Read-only checks first: nothing is written to a file we refuse.
  CII_ASSIGN_OR_RETURN(int64_t version, ReadPragma(db, path, "user_version"));
  if (version > kSchemaVersion) {
    return DbFail(path, "database schema version " + std::to_string(version) +
                            " is newer than this ciiscope supports (" +
                            std::to_string(kSchemaVersion) + "); upgrade ciiscope");
  }
  CII_ASSIGN_OR_RETURN(int64_t app_id, ReadPragma(db, path, "application_id"));
  if (app_id != 0 && app_id != kApplicationId) {
    return DbFail(path, "not a ciiscope database (it belongs to another application)");
  }
  if (version == 0) {
    CII_ASSIGN_OR_RETURN(Statement tables,
                         Statement::Prepare(db, path,
                                            "SELECT COUNT(*) FROM sqlite_master WHERE "
                                            "type = 'table' AND name NOT LIKE 'sqlite_%'"));
    CII_ASSIGN_OR_RETURN(bool row, tables.Step());
    if (row && tables.Int(0) > 0) {
      return DbFail(path, "not a ciiscope database (it has tables but no ciiscope schema)");
    }
  }

  // WAL is best effort: some file systems (network mounts) cannot share memory.
  {
    CII_ASSIGN_OR_RETURN(Statement wal,
                         Statement::Prepare(db, path, "PRAGMA journal_mode = WAL"));
    CII_ASSIGN_OR_RETURN(bool wal_row, wal.Step());
    if (wal_row && wal.Text(0) != "wal" && path != ":memory:") {
      spdlog::warn("{}: WAL journal unavailable, using {}", path, wal.Text(0));
    }
  }
  CII_RETURN_IF_ERROR(sqlite::Exec(db, path, "PRAGMA foreign_keys = ON"));
  // Sorts and temporary tables of big report queries (a scorecard over a
  // million findings) spill to temporary files, not to memory.
  CII_RETURN_IF_ERROR(sqlite::Exec(db, path, "PRAGMA temp_store = FILE"));
  // Page cache: at most kPageCacheKiB per connection (SQLite's default is
  // 2 MiB). A page of assessment upserts ~1200 findings into random leaves
  // of the findings key index; with 2 MiB they spill to the WAL mid-
  // transaction and are re-read from the file. The bound holds whatever the
  // inventory size; small databases never fill it.
  CII_RETURN_IF_ERROR(sqlite::Exec(
      db, path, "PRAGMA cache_size = -" + std::to_string(kPageCacheKiB)));
  // Checkpoint the WAL every kWalCheckpointPages (32 MiB of 4 KiB pages), not
  // SQLite's 1000: a page of assessment commits more than 1000 pages, so the
  // default copied every commit back into the database, hot index pages
  // again and again. The WAL file stays bounded by this (plus the largest
  // transaction); readers are unaffected.
  CII_RETURN_IF_ERROR(sqlite::Exec(
      db, path, "PRAGMA wal_autocheckpoint = " + std::to_string(kWalCheckpointPages)));
  CII_RETURN_IF_ERROR(store->Migrate());
  return store;
}

int Store::schema_version() const {
  auto version = ReadPragma(db_, path_, "user_version");
  return version ? static_cast<int>(*version) : -1;
}

Status Store::Migrate() {
  CII_ASSIGN_OR_RETURN(int64_t current, ReadPragma(db_, path_, "user_version"));
  if (current >= kSchemaVersion) return Ok();
  return Transaction([&]() -> Status {
    // Re-read under the write lock: another process may have migrated.
    CII_ASSIGN_OR_RETURN(int64_t version, ReadPragma(db_, path_, "user_version"));
    for (const auto& migration : migrations::kAll) {
      if (migration.version <= version) continue;
      auto applied = sqlite::Exec(db_, path_, std::string(migration.sql));
      if (!applied) {
        return DbFail(path_, "migration " + std::string(migration.name) + " failed: " +
                                 applied.error().message());
      }
      // PRAGMAs take no parameters; the number comes from the compiled-in table.
      CII_RETURN_IF_ERROR(sqlite::Exec(
          db_, path_, "PRAGMA user_version = " + std::to_string(migration.version)));
      version = migration.version;
    }
    return sqlite::Exec(db_, path_,
                        "PRAGMA application_id = " + std::to_string(kApplicationId));
  });
}

Status Store::Transaction(const std::function<Status()>& fn) {
  // Nested calls become savepoints, so callers can group Store calls that
  // are themselves transactional.
  const bool outer = sqlite3_get_autocommit(db_) != 0;
  CII_RETURN_IF_ERROR(sqlite::Exec(db_, path_, outer ? "BEGIN IMMEDIATE" : "SAVEPOINT cii_nested"));
  Status result = fn();
  if (result) {
    result = sqlite::Exec(db_, path_, outer ? "COMMIT" : "RELEASE cii_nested");
    if (result) return result;
  }
  if (outer) {
    // COMMIT failures leave the transaction open; ROLLBACK may report that
    // SQLite already rolled back, which is fine.
    if (sqlite3_get_autocommit(db_) == 0) (void)sqlite::Exec(db_, path_, "ROLLBACK");
  } else {
    (void)sqlite::Exec(db_, path_, "ROLLBACK TO cii_nested");
    (void)sqlite::Exec(db_, path_, "RELEASE cii_nested");
  }
  return result;
}

// --- scans ---

const std::string_view kScanColumns =
    "id, profile, targets, ports, engine, operator_name, started_at, finished_at, status, "
    "stats_json, shard, seed, options_json";

Scan ReadScan(const Statement& stmt) {
  Scan scan;
  scan.id = stmt.Int(0);
  scan.profile = stmt.Text(1);
  scan.targets = stmt.Text(2);
  scan.ports = stmt.Text(3);
  scan.engine = stmt.Text(4);
  scan.operator_name = stmt.Text(5);
  scan.started_at = stmt.Int(6);
  scan.finished_at = stmt.Int(7);
  scan.status = stmt.Text(8);
  scan.stats_json = stmt.Text(9);
  scan.shard = stmt.Text(10);
  scan.seed = static_cast<uint64_t>(stmt.Int(11));
  scan.options_json = stmt.Text(12);
  return scan;
}

namespace {

Result<std::vector<Scan>> QueryScans(sqlite3* db, const std::string& path, std::string sql,
                                     std::optional<int64_t> id) {
  CII_ASSIGN_OR_RETURN(Statement stmt, Statement::Prepare(db, path, sql));
  if (id) stmt.Bind(1, *id);
  std::vector<Scan> scans;
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    scans.push_back(ReadScan(stmt));
  }
  return scans;
}

}  // namespace

Result<int64_t> Store::CreateScan(const Scan& scan) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_,
                         "INSERT INTO scans (profile, targets, ports, engine, operator_name, "
                         "started_at, finished_at, status, stats_json, shard, seed, "
                         "options_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  stmt.Bind(1, scan.profile)
      .Bind(2, scan.targets)
      .Bind(3, scan.ports)
      .Bind(4, scan.engine)
      .Bind(5, scan.operator_name)
      .Bind(6, scan.started_at != 0 ? scan.started_at : core::NowMillis())
      .Bind(7, scan.finished_at)
      .Bind(8, scan.status.empty() ? std::string_view("running") : scan.status)
      .Bind(9, scan.stats_json.empty() ? std::string_view("{}") : scan.stats_json)
      .Bind(10, scan.shard)
      .Bind(11, static_cast<int64_t>(scan.seed))
      .Bind(12, scan.options_json.empty() ? std::string_view("{}") : scan.options_json);
  CII_RETURN_IF_ERROR(stmt.Run());
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

Status Store::FinishScan(int64_t scan_id, std::string_view status, std::string_view stats_json) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_,
                         "UPDATE scans SET finished_at = ?, status = ?, stats_json = ? "
                         "WHERE id = ?"));
  stmt.Bind(1, core::NowMillis())
      .Bind(2, status)
      .Bind(3, stats_json.empty() ? std::string_view("{}") : stats_json)
      .Bind(4, scan_id);
  CII_RETURN_IF_ERROR(stmt.Run());
  if (sqlite3_changes(db_) == 0) {
    return Error(ErrorCode::kNotFound, path_ + ": no scan " + std::to_string(scan_id));
  }
  return Ok();
}

Result<std::optional<Scan>> Store::GetScan(int64_t scan_id) {
  CII_ASSIGN_OR_RETURN(
      auto scans,
      QueryScans(db_, path_, "SELECT " + std::string(kScanColumns) + " FROM scans WHERE id = ?",
                 scan_id));
  if (scans.empty()) return std::optional<Scan>();
  return std::optional<Scan>(std::move(scans.front()));
}

Result<std::optional<Scan>> Store::LatestScan() {
  CII_ASSIGN_OR_RETURN(auto scans, QueryScans(db_, path_,
                                              "SELECT " + std::string(kScanColumns) +
                                                  " FROM scans ORDER BY id DESC LIMIT 1",
                                              std::nullopt));
  if (scans.empty()) return std::optional<Scan>();
  return std::optional<Scan>(std::move(scans.front()));
}

Result<std::vector<Scan>> Store::ListScans() {
  return QueryScans(db_, path_, "SELECT " + std::string(kScanColumns) + " FROM scans ORDER BY id",
                    std::nullopt);
}

// --- audit log ---

std::string Store::AuditHash(std::string_view prev_hash, int64_t time, std::string_view actor,
                             std::string_view command, std::string_view args_digest,
                             std::string_view outcome) {
  std::string input;
  input.reserve(prev_hash.size() + actor.size() + command.size() + args_digest.size() +
                outcome.size() + 32);
  input.append(prev_hash).append("|").append(std::to_string(time)).append("|");
  input.append(actor).append("|").append(command).append("|");
  input.append(args_digest).append("|").append(outcome);
  return core::Sha256Hex(input);
}

Status Store::AppendAudit(std::string_view actor, std::string_view command,
                          std::string_view args_digest, std::string_view outcome) {
  return Transaction([&]() -> Status {
    CII_ASSIGN_OR_RETURN(
        Statement last,
        Statement::Prepare(db_, path_, "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1"));
    CII_ASSIGN_OR_RETURN(bool has_last, last.Step());
    std::string prev = has_last ? last.Text(0) : std::string(kGenesisHash);
    int64_t time = core::NowMillis();
    std::string hash = AuditHash(prev, time, actor, command, args_digest, outcome);
    CII_ASSIGN_OR_RETURN(
        Statement insert,
        Statement::Prepare(db_, path_,
                           "INSERT INTO audit_log (time, actor, command, args_digest, outcome, "
                           "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    insert.Bind(1, time)
        .Bind(2, actor)
        .Bind(3, command)
        .Bind(4, args_digest)
        .Bind(5, outcome)
        .Bind(6, prev)
        .Bind(7, hash);
    CII_RETURN_IF_ERROR(insert.Run());
    // Anchored under the write lock, so concurrent appenders cannot leave an
    // older head in the file (store_trail.cpp).
    if (anchor_fd_ >= 0) return RewriteTrailAnchor(anchor_fd_, path_, sqlite3_last_insert_rowid(db_), hash);
    return WriteTrailAnchor(path_, sqlite3_last_insert_rowid(db_), hash);
  });
}

namespace {

constexpr std::string_view kAuditSelect =
    "SELECT id, time, actor, command, args_digest, outcome, prev_hash, hash FROM audit_log "
    "ORDER BY id";

AuditEntry ReadAudit(const Statement& stmt) {
  AuditEntry entry;
  entry.id = stmt.Int(0);
  entry.time = stmt.Int(1);
  entry.actor = stmt.Text(2);
  entry.command = stmt.Text(3);
  entry.args_digest = stmt.Text(4);
  entry.outcome = stmt.Text(5);
  entry.prev_hash = stmt.Text(6);
  entry.hash = stmt.Text(7);
  return entry;
}

}  // namespace

Result<int64_t> Store::VerifyAuditChain() {
  CII_ASSIGN_OR_RETURN(Statement stmt, Statement::Prepare(db_, path_, kAuditSelect));
  std::string expected_prev(kGenesisHash);
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    AuditEntry entry = ReadAudit(stmt);
    if (entry.prev_hash != expected_prev ||
        entry.hash != AuditHash(entry.prev_hash, entry.time, entry.actor, entry.command,
                                entry.args_digest, entry.outcome)) {
      return entry.id;
    }
    expected_prev = std::move(entry.hash);
  }
  return int64_t{0};
}

Result<std::vector<AuditEntry>> Store::ListAudit() {
  CII_ASSIGN_OR_RETURN(Statement stmt, Statement::Prepare(db_, path_, kAuditSelect));
  std::vector<AuditEntry> entries;
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    entries.push_back(ReadAudit(stmt));
  }
  return entries;
}

}  // namespace ciiscope::inventory
