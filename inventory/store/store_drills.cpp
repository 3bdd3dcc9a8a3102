// Store: drills, their window's events, and scan-to-scan differences.
#include <sqlite3.h>

#include <string>

#include <nlohmann/json.hpp>

#include "inventory/store/sqlite_util.h"
#include "inventory/store/store.h"
#include "inventory/store/store_rows.h"

namespace ciiscope::inventory {

using sqlite::Statement;

namespace {

constexpr std::string_view kDrillColumns =
    "id, name, kind, status, started_at, ended_at, planned_from, planned_until, scope_json, "
    "notes, created_by";

Drill ReadDrill(const Statement& stmt) {
  Drill d;
  d.id = stmt.Int(0);
  d.name = stmt.Text(1);
  d.kind = stmt.Text(2);
  d.status = stmt.Text(3);
  d.started_at = stmt.Int(4);
  d.ended_at = stmt.Int(5);
  d.planned_from = stmt.Int(6);
  d.planned_until = stmt.Int(7);
  d.scope = sqlite::StringsFromJson(stmt.Text(8));
  d.notes = stmt.Text(9);
  d.created_by = stmt.Text(10);
  return d;
}

Result<std::vector<Drill>> QueryDrills(sqlite3* db, const std::string& path,
                                       const std::string& where, int64_t id) {
  CII_ASSIGN_OR_RETURN(Statement stmt,
                       Statement::Prepare(db, path, "SELECT " + std::string(kDrillColumns) +
                                                        " FROM drills " + where));
  if (id != 0) stmt.Bind(1, id);
  std::vector<Drill> out;
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.push_back(ReadDrill(stmt));
  }
  return out;
}

// Unit columns after the finding columns, as store_scores.cpp reads them.
constexpr std::string_view kUnitSelect =
    ", u.id, COALESCE(u.code, ''), COALESCE(u.name, ''), COALESCE(u.owner, ''), "
    "COALESCE(u.contact, '')";
constexpr std::string_view kUnitJoins =
    " LEFT JOIN assets a ON a.id = f.asset_id LEFT JOIN units u ON u.id = a.unit_id ";
const std::string kFindingWithUnit =
    std::string(kUnitSelect) + " FROM findings f" + std::string(kUnitJoins);


Status StreamFindings(sqlite3* db, const std::string& path, const std::string& sql,
                      const std::vector<int64_t>& binds,
                      const std::function<Status(const AccountableFinding&)>& fn,
                      int extra_time_col = -1) {
  CII_ASSIGN_OR_RETURN(Statement stmt, Statement::Prepare(db, path, sql));
  for (size_t i = 0; i < binds.size(); ++i) stmt.Bind(static_cast<int>(i + 1), binds[i]);
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    AccountableFinding a = ReadAccountable(stmt, 0);
    if (extra_time_col >= 0) a.fixed_at = stmt.Int(extra_time_col);
    CII_RETURN_IF_ERROR(fn(a));
  }
  return Ok();
}

// Services with evidence of being open in a scan (port_state open, or any
// probe/banner evidence).
std::string OpenServicesIn(std::string_view param) {
  return "(SELECT e.service_id FROM evidence e WHERE e.scan_id = " + std::string(param) +
         " AND e.service_id IS NOT NULL AND (e.kind <> 'port_state' OR "
         "e.data_json LIKE '%\"state\":\"open\"%'))";
}

// The finding was present in scan X (bound at `p`).
std::string PresentIn(std::string_view p) {
  return "(f.first_seen_scan <= " + std::string(p) + " AND f.last_seen_scan >= " +
         std::string(p) + ")";
}

}  // namespace

Result<int64_t> Store::CreateDrill(const Drill& drill) {
  int64_t id = 0;
  CII_RETURN_IF_ERROR(Transaction([&]() -> Status {
    CII_ASSIGN_OR_RETURN(
        Statement insert,
        Statement::Prepare(db_, path_,
                           "INSERT INTO drills (name, status, started_at, ended_at, notes, kind, "
                           "scope_json, planned_from, planned_until, created_by) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    insert.Bind(1, drill.name).Bind(2, drill.status).Bind(3, drill.started_at);
    insert.Bind(4, drill.ended_at).Bind(5, drill.notes).Bind(6, drill.kind);
    insert.Bind(7, sqlite::ToJsonArray(drill.scope)).Bind(8, drill.planned_from);
    insert.Bind(9, drill.planned_until).Bind(10, drill.created_by);
    CII_RETURN_IF_ERROR(insert.Run());
    id = sqlite3_last_insert_rowid(db_);
    nlohmann::json detail = {{"name", drill.name},         {"kind", drill.kind},
                             {"planned_from", drill.planned_from},
                             {"planned_until", drill.planned_until}, {"scope", drill.scope}};
    DrillEvent start;
    start.drill_id = id;
    start.time = drill.started_at;
    start.actor = drill.created_by;
    start.kind = "start";
    start.detail_json = detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return AddDrillEvent(start);
  }));
  return id;
}

Result<std::optional<Drill>> Store::GetDrill(int64_t drill_id) {
  CII_ASSIGN_OR_RETURN(auto drills, QueryDrills(db_, path_, "WHERE id = ?", drill_id));
  if (drills.empty()) return std::optional<Drill>();
  return std::optional<Drill>(std::move(drills[0]));
}

Result<std::optional<Drill>> Store::RunningDrill() {
  CII_ASSIGN_OR_RETURN(auto drills, QueryDrills(db_, path_,
                                                "WHERE status = 'running' ORDER BY id DESC LIMIT 1",
                                                0));
  if (drills.empty()) return std::optional<Drill>();
  return std::optional<Drill>(std::move(drills[0]));
}

Result<std::vector<Drill>> Store::ListDrills() {
  return QueryDrills(db_, path_, "ORDER BY id", 0);
}

Status Store::AddDrillEvent(const DrillEvent& event) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_,
                         "INSERT INTO drill_events (drill_id, time, actor, kind, detail_json) "
                         "VALUES (?, ?, ?, ?, ?)"));
  stmt.Bind(1, event.drill_id).Bind(2, event.time).Bind(3, event.actor).Bind(4, event.kind);
  return stmt.Bind(5, event.detail_json.empty() ? std::string_view("{}") : event.detail_json).Run();
}

Status Store::StopDrill(int64_t drill_id, int64_t time, std::string_view actor) {
  return Transaction([&]() -> Status {
    CII_ASSIGN_OR_RETURN(auto drill, GetDrill(drill_id));
    if (!drill) return Error(ErrorCode::kNotFound, "no drill " + std::to_string(drill_id));
    CII_ASSIGN_OR_RETURN(Statement stop,
                         Statement::Prepare(db_, path_,
                                            "UPDATE drills SET status = 'finished', ended_at = ? "
                                            "WHERE id = ?"));
    CII_RETURN_IF_ERROR(stop.Bind(1, time).Bind(2, drill_id).Run());
    CII_ASSIGN_OR_RETURN(Statement scans,
                         Statement::Prepare(db_, path_,
                                            "UPDATE scans SET drill_id = ?1 WHERE drill_id IS NULL "
                                            "AND started_at >= ?2 AND started_at <= ?3"));
    CII_RETURN_IF_ERROR(scans.Bind(1, drill_id).Bind(2, drill->started_at).Bind(3, time).Run());
    CII_ASSIGN_OR_RETURN(Statement events,
                         Statement::Prepare(db_, path_,
                                            "UPDATE monitor_events SET drill_id = ?1 WHERE "
                                            "drill_id IS NULL AND time >= ?2 AND time <= ?3"));
    CII_RETURN_IF_ERROR(events.Bind(1, drill_id).Bind(2, drill->started_at).Bind(3, time).Run());
    DrillEvent stop_event;
    stop_event.drill_id = drill_id;
    stop_event.time = time;
    stop_event.actor = std::string(actor);
    stop_event.kind = "stop";
    return AddDrillEvent(stop_event);
  });
}

Status Store::ForEachDrillEvent(int64_t drill_id,
                                const std::function<Status(const DrillEvent&)>& fn) {
  CII_ASSIGN_OR_RETURN(Statement stmt,
                       Statement::Prepare(db_, path_,
                                          "SELECT id, drill_id, time, actor, kind, detail_json "
                                          "FROM drill_events WHERE drill_id = ? ORDER BY time, id"));
  stmt.Bind(1, drill_id);
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    DrillEvent e{stmt.Int(0), stmt.Int(1), stmt.Int(2), stmt.Text(3), stmt.Text(4), stmt.Text(5)};
    CII_RETURN_IF_ERROR(fn(e));
  }
  return Ok();
}

Status Store::ForEachMonitorEvent(int64_t drill_id, const DrillWindow& window,
                                  const std::function<Status(const MonitorEvent&)>& fn) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_,
                         "SELECT " + std::string(kMonitorEventColumns) +
                             " FROM monitor_events "
                         "WHERE drill_id = ?1 OR (drill_id IS NULL AND time >= ?2 AND time <= ?3) "
                         "ORDER BY time, id"));
  stmt.Bind(1, drill_id).Bind(2, window.from).Bind(3, window.until);
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    MonitorEvent e = ReadMonitorEvent(stmt);
    CII_RETURN_IF_ERROR(fn(e));
  }
  return Ok();
}

Result<std::vector<Scan>> Store::ScansInWindow(int64_t drill_id, const DrillWindow& window) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_,
                         "SELECT " + std::string(kScanColumns) +
                             " FROM scans WHERE drill_id = ?1 OR (drill_id IS NULL AND "
                             "started_at >= ?2 AND started_at <= ?3) ORDER BY started_at, id"));
  stmt.Bind(1, drill_id).Bind(2, window.from).Bind(3, window.until);
  std::vector<Scan> scans;
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    scans.push_back(ReadScan(stmt));
  }
  return scans;
}

Status Store::ForEachFindingOpenedIn(const DrillWindow& window,
                                     const std::function<Status(const AccountableFinding&)>& fn) {
  return StreamFindings(db_, path_,
                        "SELECT " + FindingColumns("f") + kFindingWithUnit +
                            "WHERE f.first_seen >= ?1 AND f.first_seen <= ?2 "
                            "ORDER BY f.first_seen, f.id",
                        {window.from, window.until}, fn);
}

Status Store::ForEachFindingClosedIn(const DrillWindow& window,
                                     const std::function<Status(const AccountableFinding&)>& fn) {
  return StreamFindings(
      db_, path_,
      "SELECT " + FindingColumns("f") + std::string(kUnitSelect) +
          ", c.closed_at FROM (SELECT finding_id, MAX(time) AS closed_at FROM finding_events "
          "WHERE to_status IN ('verified', 'closed') AND time >= ?1 AND time <= ?2 "
          "GROUP BY finding_id) c JOIN findings f ON f.id = c.finding_id" +
          std::string(kUnitJoins) + "WHERE f.status IN ('verified', 'closed') "
          "ORDER BY COALESCE(u.code, ''), a.unit_id, c.closed_at - f.first_seen, f.id",
      {window.from, window.until}, fn, 29);
}

Result<int64_t> Store::ScanFinishedBy(int64_t time) {
  CII_ASSIGN_OR_RETURN(Statement stmt,
                       Statement::Prepare(db_, path_,
                                          "SELECT id FROM scans WHERE finished_at > 0 AND "
                                          "finished_at <= ? ORDER BY finished_at DESC, id DESC "
                                          "LIMIT 1"));
  stmt.Bind(1, time);
  CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.Int(0) : int64_t{0};
}

Status Store::ForEachAssetOnlyIn(int64_t in, int64_t not_in,
                                 const std::function<Status(const Asset&)>& fn) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_,
                         "SELECT " + std::string(kAssetColumns) +
                             " FROM assets a WHERE a.id IN (SELECT asset_id FROM evidence "
                             "WHERE scan_id = ?1) AND a.id NOT IN (SELECT asset_id FROM "
                             "evidence WHERE scan_id = ?2) ORDER BY a.address_sort, a.id"));
  stmt.Bind(1, in).Bind(2, not_in);
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    CII_RETURN_IF_ERROR(fn(ReadAsset(stmt)));
  }
  return Ok();
}

Status Store::ForEachServiceOnlyIn(int64_t in, int64_t not_in,
                                   const std::function<Status(const Service&)>& fn) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_,
                         "SELECT " + std::string(kServiceColumns) +
                             " FROM services s JOIN assets a ON a.id = s.asset_id WHERE s.id IN " +
                             OpenServicesIn("?1") + " AND s.id NOT IN " + OpenServicesIn("?2") +
                             " ORDER BY a.address_sort, s.port, s.transport"));
  stmt.Bind(1, in).Bind(2, not_in);
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    CII_RETURN_IF_ERROR(fn(ReadService(stmt)));
  }
  return Ok();
}

Status Store::ForEachNewFinding(int64_t from, int64_t to,
                                const std::function<Status(const AccountableFinding&)>& fn) {
  return StreamFindings(db_, path_,
                        "SELECT " + FindingColumns("f") + kFindingWithUnit +
                            "WHERE " + PresentIn("?2") + " AND NOT " + PresentIn("?1") +
                            " ORDER BY a.address_sort, f.port, f.rule_id, f.id",
                        {from, to}, fn);
}

Status Store::ForEachFixedFinding(int64_t from, int64_t to,
                                  const std::function<Status(const AccountableFinding&)>& fn) {
  // Not seen in `to`, although `to` collected evidence of the same service
  // (or, for asset-level findings, of the same asset).
  return StreamFindings(
      db_, path_,
      "SELECT " + FindingColumns("f") + kFindingWithUnit + "WHERE " +
          PresentIn("?1") + " AND NOT " + PresentIn("?2") +
          " AND EXISTS (SELECT 1 FROM evidence e WHERE e.scan_id = ?2 AND "
          "((f.service_id IS NOT NULL AND e.service_id = f.service_id) OR "
          "(f.service_id IS NULL AND e.asset_id = f.asset_id))) "
          "ORDER BY a.address_sort, f.port, f.rule_id, f.id",
      {from, to}, fn);
}

Result<ScanExposure> Store::ExposureOf(int64_t scan_id) {
  ScanExposure x;
  x.scan_id = scan_id;
  if (scan_id == 0) return x;
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(
          db_, path_,
          "SELECT (SELECT COUNT(DISTINCT asset_id) FROM evidence WHERE scan_id = ?1), "
          "(SELECT COUNT(*) FROM services s WHERE s.id IN " + OpenServicesIn("?1") + "), "
          "(SELECT COUNT(*) FROM findings f WHERE " + PresentIn("?1") + "), "
          "(SELECT COUNT(*) FROM findings f WHERE " + PresentIn("?1") +
          " AND f.severity IN ('high', 'critical'))"));
  stmt.Bind(1, scan_id);
  CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (row) {
    x.hosts = stmt.Int(0);
    x.open_services = stmt.Int(1);
    x.findings = stmt.Int(2);
    x.critical_high = stmt.Int(3);
  }
  return x;
}

}  // namespace ciiscope::inventory
