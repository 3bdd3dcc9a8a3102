// Store: authorizations (the scan gate) and scan checkpoints (resume).
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "inventory/store/sqlite_util.h"
#include "inventory/store/store.h"

namespace ciiscope::inventory {
namespace {

using sqlite::Statement;

constexpr std::string_view kAuthSelect =
    "SELECT id, document_ref, granted_by, scope, valid_from, valid_until, created_by, "
    "created_at, revoked_at FROM authorizations ";

Authorization ReadAuthorization(const Statement& stmt) {
  Authorization a;
  a.id = stmt.Int(0);
  a.reference = stmt.Text(1);
  a.issuer = stmt.Text(2);
  a.scope = sqlite::StringsFromJson(stmt.Text(3));
  a.valid_from = stmt.Int(4);
  a.valid_to = stmt.Int(5);
  a.created_by = stmt.Text(6);
  a.created_at = stmt.Int(7);
  a.revoked_at = stmt.Int(8);
  return a;
}

Result<std::vector<Authorization>> QueryAuthorizations(Statement& stmt) {
  std::vector<Authorization> out;
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.push_back(ReadAuthorization(stmt));
  }
  return out;
}

std::string PendingJson(const std::vector<uint64_t>& pending) {
  nlohmann::json j = nlohmann::json::array();
  for (uint64_t p : pending) j.push_back(p);
  return j.dump();
}

std::vector<uint64_t> PendingFromJson(const std::string& text) {
  std::vector<uint64_t> out;
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return out;
  for (const auto& v : j) {
    if (v.is_number_unsigned()) out.push_back(v.get<uint64_t>());
  }
  return out;
}

}  // namespace

Status Store::ReopenScan(int64_t scan_id) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_,
                         "UPDATE scans SET status = ?, finished_at = ? WHERE id = ?"));
  stmt.Bind(1, std::string_view("running")).Bind(2, int64_t{0}).Bind(3, scan_id);
  CII_RETURN_IF_ERROR(stmt.Run());
  if (sqlite3_changes(db_) == 0) {
    return Error(ErrorCode::kNotFound, path_ + ": no scan " + std::to_string(scan_id));
  }
  return Ok();
}

Status Store::SaveCheckpoint(const ScanCheckpoint& c) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(
          db_, path_,
          "INSERT INTO scan_progress (scan_id, next_position, pending_json, total, done, open, "
          "closed, filtered, runner_pid, runner_start, updated_at) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
          "ON CONFLICT (scan_id) DO UPDATE SET next_position = excluded.next_position, "
          "pending_json = excluded.pending_json, total = excluded.total, done = excluded.done, "
          "open = excluded.open, closed = excluded.closed, filtered = excluded.filtered, "
          "runner_pid = excluded.runner_pid, runner_start = excluded.runner_start, "
          "updated_at = excluded.updated_at"));
  stmt.Bind(1, c.scan_id)
      .Bind(2, static_cast<int64_t>(c.next_position))
      .Bind(3, PendingJson(c.pending))
      .Bind(4, static_cast<int64_t>(c.total))
      .Bind(5, static_cast<int64_t>(c.done))
      .Bind(6, static_cast<int64_t>(c.open))
      .Bind(7, static_cast<int64_t>(c.closed))
      .Bind(8, static_cast<int64_t>(c.filtered))
      .Bind(9, c.runner_pid)
      .Bind(10, c.runner_start)
      .Bind(11, c.updated_at != 0 ? c.updated_at : core::NowMillis());
  return stmt.Run();
}

Result<std::optional<ScanCheckpoint>> Store::GetCheckpoint(int64_t scan_id) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_,
                         "SELECT scan_id, next_position, pending_json, total, done, open, closed, "
                         "filtered, runner_pid, runner_start, updated_at FROM scan_progress "
                         "WHERE scan_id = ?"));
  stmt.Bind(1, scan_id);
  CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<ScanCheckpoint>();
  ScanCheckpoint c;
  c.scan_id = stmt.Int(0);
  c.next_position = static_cast<uint64_t>(stmt.Int(1));
  c.pending = PendingFromJson(stmt.Text(2));
  c.total = static_cast<uint64_t>(stmt.Int(3));
  c.done = static_cast<uint64_t>(stmt.Int(4));
  c.open = static_cast<uint64_t>(stmt.Int(5));
  c.closed = static_cast<uint64_t>(stmt.Int(6));
  c.filtered = static_cast<uint64_t>(stmt.Int(7));
  c.runner_pid = stmt.Int(8);
  c.runner_start = stmt.Int(9);
  c.updated_at = stmt.Int(10);
  return std::optional<ScanCheckpoint>(std::move(c));
}

Result<int64_t> Store::AddAuthorization(const Authorization& a) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_,
                         "INSERT INTO authorizations (scope, granted_by, document_ref, valid_from, "
                         "valid_until, created_by, created_at, revoked_at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  stmt.Bind(1, sqlite::ToJsonArray(a.scope))
      .Bind(2, a.issuer)
      .Bind(3, a.reference)
      .Bind(4, a.valid_from)
      .Bind(5, a.valid_to)
      .Bind(6, a.created_by)
      .Bind(7, a.created_at != 0 ? a.created_at : core::NowMillis())
      .Bind(8, a.revoked_at);
  CII_RETURN_IF_ERROR(stmt.Run());
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

Result<std::vector<Authorization>> Store::ListAuthorizations() {
  CII_ASSIGN_OR_RETURN(Statement stmt,
                       Statement::Prepare(db_, path_, std::string(kAuthSelect) + "ORDER BY id"));
  return QueryAuthorizations(stmt);
}

Result<std::vector<Authorization>> Store::ValidAuthorizations(int64_t now_ms) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_,
                         std::string(kAuthSelect) +
                             "WHERE revoked_at = 0 AND valid_from <= ? AND "
                             "(valid_until = 0 OR valid_until >= ?) ORDER BY id"));
  stmt.Bind(1, now_ms).Bind(2, now_ms);
  return QueryAuthorizations(stmt);
}

}  // namespace ciiscope::inventory
