// Monitoring events (migration 0003) and the running drill they belong to.
#include <sqlite3.h>

#include "inventory/store/sqlite_util.h"
#include "inventory/store/store.h"
#include "inventory/store/store_rows.h"

namespace ciiscope::inventory {

using sqlite::Statement;

Status Store::AddMonitorEvents(std::vector<MonitorEvent>& events) {
  if (events.empty()) return Ok();
  return Transaction([&]() -> Status {
    CII_ASSIGN_OR_RETURN(
        Statement stmt,
        Statement::Prepare(db_, path_,
                           "INSERT INTO monitor_events (scan_id, drill_id, time, kind, source, "
                           "target, port, transport, detail_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (auto& e : events) {
      stmt.BindId(1, e.scan_id).BindId(2, e.drill_id).Bind(3, e.time).Bind(4, e.kind);
      stmt.Bind(5, e.source).Bind(6, e.target).Bind(7, e.port).Bind(8, e.transport);
      stmt.Bind(9, e.detail_json);
      CII_RETURN_IF_ERROR(stmt.Run());
      e.id = sqlite3_last_insert_rowid(db_);
      stmt.Reset();
    }
    return Ok();
  });
}

const std::string_view kMonitorEventColumns =
    "id, COALESCE(scan_id, 0), COALESCE(drill_id, 0), time, kind, source, target, port, "
    "transport, detail_json";

MonitorEvent ReadMonitorEvent(const Statement& stmt) {
  MonitorEvent e;
  e.id = stmt.Int(0);
  e.scan_id = stmt.Int(1);
  e.drill_id = stmt.Int(2);
  e.time = stmt.Int(3);
  e.kind = stmt.Text(4);
  e.source = stmt.Text(5);
  e.target = stmt.Text(6);
  e.port = stmt.Int(7);
  e.transport = stmt.Text(8);
  e.detail_json = stmt.Text(9);
  return e;
}

Result<std::vector<MonitorEvent>> Store::ListMonitorEvents(std::optional<int64_t> scan_id) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_,
                         "SELECT " + std::string(kMonitorEventColumns) +
                             " FROM monitor_events "
                         "WHERE ? IS NULL OR scan_id = ? ORDER BY time, id"));
  if (scan_id) {
    stmt.Bind(1, *scan_id).Bind(2, *scan_id);
  }
  std::vector<MonitorEvent> out;
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    MonitorEvent e = ReadMonitorEvent(stmt);
    out.push_back(std::move(e));
  }
  return out;
}

Result<int64_t> Store::RunningDrillId() {
  CII_ASSIGN_OR_RETURN(Statement stmt,
                       Statement::Prepare(db_, path_,
                                          "SELECT id FROM drills WHERE status = 'running' "
                                          "ORDER BY started_at DESC, id DESC LIMIT 1"));
  CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.Int(0) : int64_t{0};
}

}  // namespace ciiscope::inventory
