#pragma once
// Which alerts a finished job raises, and their delivery under the
// once-per-period and hourly rate-limit rules (docs/daemon.md "Alerts").
// Reads and records through the store (alerts_sent, migration 0006), so both
// rules hold across daemon restarts. Key-period rules (new open services,
// shadow assets against a baseline) extend SelectAlerts.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/result.h"
#include "inventory/store/store.h"
#include "service/alerts.h"
#include "service/config.h"

namespace ciiscope::service {

struct AlertScope {
  int64_t scan_id = 0;
  std::string profile;
  std::string key_period;  // the key period in force for the job ("" = none)
  int64_t now_ms = 0;
  int64_t job_id = 0;      // recorded with each alert (0 = none)
};

// The threshold in force: the key period's alert_threshold, else alerts.threshold.
std::string AlertThreshold(const Config& config, const AlertScope& scope);
// The de-duplication period: "kp:<name>" inside a key period, else
// "p<seconds>:<index>" of the alerts.period window holding now.
std::string AlertPeriod(const Config& config, const AlertScope& scope);

// Findings that scan `scope.scan_id` created or reopened, at or above the
// threshold, that have not alerted in this period; most severe first.
Result<std::vector<Alert>> SelectAlerts(inventory::Store& store, const Config& config,
                                        const AlertScope& scope);

struct AlertRun {
  int sent = 0;        // delivered one by one (to at least one sink)
  int summarised = 0;  // over the rate limit: folded into one summary message
  int failed = 0;      // every sink failed; not recorded, so a later job retries
  std::vector<std::string> errors;  // one line per sink failure
};

using DeliverFn = std::function<Status(const AlertSink&, const Alert&, const std::string& lang)>;

// Sends `alerts` (as SelectAlerts returns them) to the sinks that take their
// severity: at most alerts.rate_per_hour in any hour (counted from the
// store); the excess goes out as one summary message and is recorded as
// summarised, so it does not come back later in the period.
Result<AlertRun> SendAlerts(inventory::Store& store, const Config& config, const AlertScope& scope,
                            const std::vector<Alert>& alerts, const DeliverFn& deliver = Deliver);

}  // namespace ciiscope::service
