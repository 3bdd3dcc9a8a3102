#pragma once
// Builders of the sectioned report kinds (store → TableReport): scorecard,
// diff and drill. Each returned report's row callbacks query the store
// again when rendered: the store must outlive the report, and rendering
// streams (memory does not grow with the rows).

#include <cstdint>
#include <optional>
#include <string>

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

}  // namespace ciiscope::reports
