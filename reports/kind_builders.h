#pragma once
// Builders of the sectioned report kinds (store → TableReport): scorecard,
// diff and drill. Each returned report's row callbacks query the store
// again when rendered: the store must outlive the report, and rendering
// streams (memory does not grow with the rows).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "inventory/model/ledger.h"

#include "core/result.h"
#include "reports/table_report.h"

namespace ciiscope::inventory {
class Store;
}

namespace ciiscope::reports {

struct ScorecardOptions {
  int64_t run_id = 0;      // the score run to report (latest when 0)
  int64_t now = 0;         // overdue is judged at this time
  int trend_runs = 12;     // runs shown in the trend
};
// Sections: ranking (units ranked within each parent, with the change since
// the previous run), trend, overdue list, look-back (回头看) list and one
// rectification notice (整改通知书) per unit with counted findings.
// kNotFound "no score run …" when nothing was scored.
Result<TableReport> BuildScorecardReport(inventory::Store& store, Lang lang,
                                         const ScorecardOptions& options);

// Between two scans (from_scan < to_scan), or two dates (the last scan
// finished at or before each date). Sections: new / gone assets, new / gone
// services, new / fixed findings.
struct DiffOptions {
  int64_t from_scan = 0, to_scan = 0;   // scans, or …
  int64_t from_time = 0, to_time = 0;   // … dates (Unix ms) when the scans are 0
};
Result<TableReport> BuildDiffReport(inventory::Store& store, Lang lang, const DiffOptions& options);

// One drill (the latest when id is 0): window, timeline chart, exposure at
// start and end, findings opened and closed in the window, time to fix per
// unit, drill and monitoring events.
Result<TableReport> BuildDrillReport(inventory::Store& store, Lang lang, int64_t drill_id,
                                     int64_t now);

// The asset ledger (台账): every asset by unit (unit hierarchy order), CII
// confirmed first, then candidates, then the rest; with owner, contact,
// role, criticality, CII status and basis, data tags, ledger status
// (registered / shadow / 双非 / stale), open services and counted findings
// (at `now`) by severity. One section "ledger", streamed.
Result<TableReport> BuildLedgerReport(inventory::Store& store, Lang lang, int64_t now);

// Rectification notices (整改通知书), one report per unit.
struct NoticeOptions {
  int64_t now = 0;                 // issue date; overdue is judged at it
  std::string issuer;              // 签发单位 (empty: "ciiscope")
  std::string reference_prefix;    // reference = PREFIX-YYYYMMDD-UNITID (default "CIISCOPE")
  int reply_days = 15;             // reply deadline = now + reply_days
  std::vector<std::string> units;  // unit codes or ids; empty = every unit with counted findings
};
struct NoticeTarget {
  inventory::NoticeUnit unit;
  std::string reference;
};
struct NoticeSelection {
  std::vector<NoticeTarget> targets;
  int64_t unowned_findings = 0;    // counted findings on assets of no unit (no notice)
};
// kNotFound "unit 'X' not in the units ledger" for a named unit that is not;
// kInvalidArgument for reply_days outside 1..365.
Result<NoticeSelection> SelectNoticeUnits(inventory::Store& store, const NoticeOptions& options);
// One unit's notice: header facts (to, issuer, reference, date, reply by)
// and section "items" (what to fix by when), streamed.
TableReport BuildNoticeReport(inventory::Store& store, Lang lang, const NoticeTarget& target,
                              const NoticeOptions& options);
// File stem of a unit's notice: "notice-0012-CODE", safe as a file name.
std::string NoticeFileStem(const inventory::NoticeUnit& unit);
// The index of the notices written: per unit the files and their SHA-256.
struct NoticeFile {
  NoticeTarget target;
  std::vector<std::string> files;    // base names
  std::vector<std::string> digests;  // hex, same order
};
TableReport BuildNoticeIndex(Lang lang, const NoticeOptions& options,
                             std::vector<NoticeFile> files, int64_t unowned_findings);

}  // namespace ciiscope::reports
