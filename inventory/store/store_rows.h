#pragma once
// Private to inventory/store: row readers shared by several store_*.cpp.

#include <functional>
#include <string>
#include <string_view>

#include "inventory/model/model.h"
#include "inventory/model/monitor_event.h"
#include "inventory/model/score.h"
#include "inventory/store/sqlite_util.h"

namespace ciiscope::inventory {

// The findings columns ReadFinding expects, in order (no table alias).
extern const std::string_view kFindingColumns;
// The same columns, each prefixed with "ALIAS.".
std::string FindingColumns(std::string_view alias);
// Reads kFindingColumns starting at column `first`.
Finding ReadFinding(const sqlite::Statement& stmt, int first = 0);

// Inside a transaction: the findings selected by `where` (SQL after
// "FROM findings WHERE", parameters ?1…?6 bound by `bind`) that are open,
// acknowledged, reopened or fixed become verified, with one event each
// (actor, reason). Set-based: two statements. Returns how many changed.
Result<int> VerifySelected(sqlite3* db, const std::string& path, std::string_view where,
                           const std::function<void(sqlite::Statement&)>& bind,
                           std::string_view actor, std::string_view reason);

// Scans: columns without alias; ReadScan reads them from column 0.
extern const std::string_view kScanColumns;
Scan ReadScan(const sqlite::Statement& stmt);
// Assets: columns with alias "a."; ReadAsset reads them from first_col.
extern const std::string_view kAssetColumns;
inline constexpr int kAssetColumnCount = 17;  // columns in kAssetColumns
Asset ReadAsset(const sqlite::Statement& stmt, int first_col = 0);
// Services: columns "s." and "a.address" (join assets a); from column 0.
extern const std::string_view kServiceColumns;
Service ReadService(const sqlite::Statement& stmt);

// A finding (kFindingColumns from column 0) followed by the unit columns
// u.id, code, name, owner, contact (24..28); when reopen_cols_at > 0 also
// last reopen time, last fix time and reopen count from that column.
AccountableFinding ReadAccountable(const sqlite::Statement& stmt, int reopen_cols_at);

// Findings that count at :now (bound as ?1): the scorecard's and the
// notices' condition (docs/scoring.md).
inline constexpr std::string_view kCountedWhere =
    "(f.status IN ('open', 'acknowledged', 'reopened', 'fixed') OR "
    "(f.status = 'accepted' AND f.due_at > 0 AND f.due_at < ?1))";

inline constexpr std::string_view kSeverityRankF =
    "(CASE f.severity WHEN 'info' THEN 0 WHEN 'low' THEN 1 WHEN 'medium' THEN 2 "
    "WHEN 'high' THEN 3 WHEN 'critical' THEN 4 ELSE 0 END)";

// Unit columns appended after the finding columns; unit_id NULL = none.
inline constexpr std::string_view kUnitColumns =
    "u.id, COALESCE(u.code, ''), COALESCE(u.name, ''), COALESCE(u.owner, ''), "
    "COALESCE(u.contact, '')";

// Monitor events: columns without alias; ReadMonitorEvent reads them from
// column 0 (store_monitor.cpp).
extern const std::string_view kMonitorEventColumns;
MonitorEvent ReadMonitorEvent(const sqlite::Statement& stmt);

}  // namespace ciiscope::inventory
