// Store: key-period baselines and alerts, the look-back list, spot checks,
// configuration state, and revoking config-sourced authorizations
// (migration 0007, docs/keyperiod.md).
#include <sqlite3.h>

#include <string>

#include "inventory/store/sqlite_util.h"
#include "inventory/store/store.h"

namespace ciiscope::inventory {

using sqlite::Statement;

Result<int64_t> Store::SaveKeyPeriodBaseline(const KeyPeriodBaseline& baseline,
                                             const std::vector<ExposureItem>& items) {
  int64_t id = 0;
  CII_RETURN_IF_ERROR(Transaction([&]() -> Status {
    CII_ASSIGN_OR_RETURN(
        Statement insert,
        Statement::Prepare(db_, path_,
                           "INSERT INTO keyperiod_baselines (name, window_from, window_to, "
                           "taken_at, actor, trigger_kind, scope_json) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    insert.Bind(1, baseline.name)
        .Bind(2, baseline.window_from)
        .Bind(3, baseline.window_to)
        .Bind(4, baseline.taken_at)
        .Bind(5, baseline.actor)
        .Bind(6, baseline.trigger)
        .Bind(7, sqlite::ToJsonArray(baseline.scope));
    CII_RETURN_IF_ERROR(insert.Run());
    id = sqlite3_last_insert_rowid(db_);
    CII_ASSIGN_OR_RETURN(
        Statement item,
        Statement::Prepare(db_, path_,
                           "INSERT OR IGNORE INTO keyperiod_items (baseline_id, kind, item_key, "
                           "severity, label) VALUES (?, ?, ?, ?, ?)"));
    for (const auto& it : items) {
      item.Bind(1, id).Bind(2, it.kind).Bind(3, it.key).Bind(4, it.severity).Bind(5, it.label);
      CII_RETURN_IF_ERROR(item.Run());
    }
    return Ok();
  }));
  return id;
}

Result<std::optional<KeyPeriodBaseline>> Store::LatestKeyPeriodBaseline(std::string_view name,
                                                                        int64_t window_from) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_,
                         "SELECT id, name, window_from, window_to, taken_at, actor, trigger_kind, "
                         "scope_json FROM keyperiod_baselines WHERE name = ? AND window_from = ? "
                         "ORDER BY id DESC LIMIT 1"));
  stmt.Bind(1, name).Bind(2, window_from);
  CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<KeyPeriodBaseline>();
  KeyPeriodBaseline b;
  b.id = stmt.Int(0);
  b.name = stmt.Text(1);
  b.window_from = stmt.Int(2);
  b.window_to = stmt.Int(3);
  b.taken_at = stmt.Int(4);
  b.actor = stmt.Text(5);
  b.trigger = stmt.Text(6);
  b.scope = sqlite::StringsFromJson(stmt.Text(7));
  return std::optional<KeyPeriodBaseline>(std::move(b));
}

Result<std::vector<ExposureItem>> Store::KeyPeriodItems(int64_t baseline_id) {
  CII_ASSIGN_OR_RETURN(Statement stmt,
                       Statement::Prepare(db_, path_,
                                          "SELECT kind, item_key, severity, label FROM "
                                          "keyperiod_items WHERE baseline_id = ? ORDER BY kind, item_key"));
  stmt.Bind(1, baseline_id);
  std::vector<ExposureItem> out;
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    ExposureItem it;
    it.kind = stmt.Text(0);
    it.key = stmt.Text(1);
    it.severity = stmt.Text(2);
    it.label = stmt.Text(3);
    out.push_back(std::move(it));
  }
  return out;
}

Status Store::ForEachExposureItem(const std::function<Status(const ExposureItem&)>& fn) {
  // Open services; active findings (not yet fixed by the unit, not accepted,
  // not verified); shadow assets (no registered owner).
  static constexpr std::string_view kSql =
      "SELECT 'service', a.address || '|' || s.transport || '|' || s.port, '', "
      "  a.address || ':' || s.port || '/' || s.transport || "
      "  CASE WHEN s.name = '' THEN '' ELSE ' ' || s.name END, a.address, s.port, '', '', '' "
      "FROM services s JOIN assets a ON a.id = s.asset_id WHERE s.state = 'open' "
      "UNION ALL "
      "SELECT 'finding', f.key, f.severity, "
      "  f.address || CASE WHEN f.port = 0 THEN '' ELSE ':' || f.port END || ' ' || f.rule_id, "
      "  f.address, f.port, f.rule_id, f.title_zh, f.title_en "
      "FROM findings f WHERE f.status IN ('open', 'acknowledged', 'reopened') "
      "UNION ALL "
      "SELECT 'shadow', a.address, '', a.address, a.address, 0, '', '', '' "
      "FROM assets a WHERE a.ledger_status = 'shadow' "
      "ORDER BY 1, 2";
  CII_ASSIGN_OR_RETURN(Statement stmt, Statement::Prepare(db_, path_, kSql));
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    ExposureItem it;
    it.kind = stmt.Text(0);
    it.key = stmt.Text(1);
    it.severity = stmt.Text(2);
    it.label = stmt.Text(3);
    it.address = stmt.Text(4);
    it.port = static_cast<uint16_t>(stmt.Int(5));
    it.rule = stmt.Text(6);
    it.title_zh = stmt.Text(7);
    it.title_en = stmt.Text(8);
    CII_RETURN_IF_ERROR(fn(it));
  }
  return Ok();
}

Result<bool> Store::MarkKeyPeriodAlerted(std::string_view name, int64_t window_from,
                                         std::string_view kind, std::string_view key, int64_t at) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_,
                         "INSERT OR IGNORE INTO keyperiod_alerts (name, window_from, kind, "
                         "item_key, raised_at) VALUES (?, ?, ?, ?, ?)"));
  stmt.Bind(1, name).Bind(2, window_from).Bind(3, kind).Bind(4, key).Bind(5, at);
  CII_RETURN_IF_ERROR(stmt.Run());
  return sqlite3_changes(db_) > 0;
}

Status Store::ReplaceLookback(const std::vector<LookbackUnit>& units) {
  return Transaction([&]() -> Status {
    CII_RETURN_IF_ERROR(sqlite::Exec(db_, path_, "DELETE FROM lookback_units"));
    CII_ASSIGN_OR_RETURN(
        Statement insert,
        Statement::Prepare(db_, path_,
                           "INSERT INTO lookback_units (unit_id, reopened, overdue, last_reopen, "
                           "since, computed_at) VALUES (?, ?, ?, ?, ?, ?)"));
    for (const auto& u : units) {
      insert.Bind(1, u.unit_id)
          .Bind(2, u.reopened)
          .Bind(3, u.overdue)
          .Bind(4, u.last_reopen)
          .Bind(5, u.since)
          .Bind(6, u.computed_at);
      CII_RETURN_IF_ERROR(insert.Run());
    }
    return Ok();
  });
}

Result<std::vector<LookbackUnit>> Store::ListLookback() {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_,
                         "SELECT l.unit_id, u.code, u.name, u.owner, l.reopened, l.overdue, "
                         "l.last_reopen, l.since, l.computed_at FROM lookback_units l JOIN units u "
                         "ON u.id = l.unit_id ORDER BY l.reopened + l.overdue DESC, u.code"));
  std::vector<LookbackUnit> out;
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    LookbackUnit u;
    u.unit_id = stmt.Int(0);
    u.code = stmt.Text(1);
    u.name = stmt.Text(2);
    u.owner = stmt.Text(3);
    u.reopened = stmt.Int(4);
    u.overdue = stmt.Int(5);
    u.last_reopen = stmt.Int(6);
    u.since = stmt.Int(7);
    u.computed_at = stmt.Int(8);
    out.push_back(std::move(u));
  }
  return out;
}

Result<int64_t> Store::AddSpotCheck(const SpotCheck& check) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_,
                         "INSERT INTO spotchecks (time, actor, seed, count, profile, picked_json, "
                         "scan_id, dry_run) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  stmt.Bind(1, check.time)
      .Bind(2, check.actor)
      .Bind(3, std::to_string(check.seed))
      .Bind(4, check.count)
      .Bind(5, check.profile)
      .Bind(6, sqlite::ToJsonArray(check.picked))
      .BindId(7, check.scan_id)
      .Bind(8, int64_t{check.dry_run ? 1 : 0});
  CII_RETURN_IF_ERROR(stmt.Run());
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

Result<std::optional<std::string>> Store::ConfigState(std::string_view key) {
  CII_ASSIGN_OR_RETURN(Statement stmt, Statement::Prepare(db_, path_,
                                                          "SELECT value FROM config_state WHERE key = ?"));
  stmt.Bind(1, key);
  CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(stmt.Text(0));
}

Status Store::SetConfigState(std::string_view key, std::string_view value) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_,
                         "INSERT INTO config_state (key, value) VALUES (?, ?) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
  stmt.Bind(1, key).Bind(2, value);
  return stmt.Run();
}

Status Store::RevokeAuthorization(int64_t authorization_id, int64_t at) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_,
                         "UPDATE authorizations SET revoked_at = ? WHERE id = ? AND "
                         "revoked_at = 0"));
  stmt.Bind(1, at).Bind(2, authorization_id);
  CII_RETURN_IF_ERROR(stmt.Run());
  if (sqlite3_changes(db_) == 0) {
    return Error(ErrorCode::kNotFound,
                 "authorization " + std::to_string(authorization_id) + " not found or already revoked");
  }
  return Ok();
}

}  // namespace ciiscope::inventory
