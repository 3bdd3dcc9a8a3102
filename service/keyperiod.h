#pragma once
// Key periods (重保期) at run time (docs/keyperiod.md): which are active, the
// network scope each covers, the SLA that sets a new finding's due date, the
// baseline of exposure taken when a period starts, the delta since it, and
// the alerts a job raises against it.
//
// A key period's scope names profiles; its network scope is the union of
// those profiles' targets (addresses, CIDRs, ranges; host names match the
// asset's address text only) and the registered ranges of their units. An
// empty scope covers everything.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/net.h"
#include "core/result.h"
#include "inventory/model/keyperiod.h"
#include "inventory/model/unit.h"
#include "service/alerts.h"
#include "service/config.h"

namespace ciiscope::inventory {
class Store;
}

namespace ciiscope::service {

struct PeriodScope {
  bool everything = true;
  std::vector<core::Cidr> cidrs;
  std::vector<core::IpRange> ranges;
  std::vector<std::string> names;  // host names, compared as text
  std::vector<std::string> text;   // as resolved, for display and the baseline row
};

PeriodScope ResolvePeriodScope(const KeyPeriod& period, const Config& config,
                               const std::vector<inventory::Unit>& units);
bool InScope(const PeriodScope& scope, std::string_view address);

// Window in Unix ms ([from, to)).
int64_t PeriodFromMs(const KeyPeriod& p);
int64_t PeriodToMs(const KeyPeriod& p);
bool ActiveAt(const KeyPeriod& p, int64_t now_ms);
const KeyPeriod* FindPeriod(const Config& config, std::string_view name);

// Severity order: info 0 … critical 4; -1 for anything else.
int SeverityRank(std::string_view severity);

// Due dates: the configuration's sla table, tightened by the SLA override of
// every key period active at `now` whose scope holds the address (the
// shortest applicable term wins). A severity the tables do not list gets no
// due date (0).
class DuePolicy {
 public:
  DuePolicy(const Config& config, const std::vector<inventory::Unit>& units);
  int64_t DueAt(std::string_view severity, std::string_view address, int64_t now_ms) const;

 private:
  struct Override {
    int64_t from = 0, to = 0;
    SlaTable sla;
    PeriodScope scope;
  };
  SlaTable base_;
  std::vector<Override> overrides_;
};

// Takes a baseline of what is exposed now within the period's scope.
Result<inventory::KeyPeriodBaseline> TakeBaseline(inventory::Store& store, const Config& config,
                                                  const KeyPeriod& period, int64_t now_ms,
                                                  const std::string& actor,
                                                  const std::string& trigger);
// Every key period active at now without a baseline gets one (trigger
// "auto"). Returns the names of the periods baselined. Run before a job.
Result<std::vector<std::string>> EnsureBaselines(inventory::Store& store, const Config& config,
                                                 int64_t now_ms, const std::string& actor);

struct KeyPeriodDelta {
  inventory::KeyPeriodBaseline baseline;
  std::vector<inventory::ExposureItem> new_services;
  std::vector<inventory::ExposureItem> new_findings;  // at or above the alert threshold
  std::vector<inventory::ExposureItem> new_shadow;
  std::vector<inventory::ExposureItem> closed;         // in the baseline, gone now
};
Result<KeyPeriodDelta> ComputeDelta(inventory::Store& store, const Config& config,
                                    const KeyPeriod& period,
                                    const inventory::KeyPeriodBaseline& baseline);

// After a job: one alert per item new against the baseline of each key
// period active at now (open service, finding at or above the threshold,
// shadow asset), each item once per period (recorded in keyperiod_alerts).
// A period active without a baseline gets one first (its current exposure
// then is the baseline; nothing alerts). Render with AlertText(a, "zh"|"en").
// Severity of a new service alert: medium; of a new shadow asset: high.
Result<std::vector<Alert>> KeyPeriodAlerts(inventory::Store& store, const Config& config,
                                           int64_t now_ms);

}  // namespace ciiscope::service
