#pragma once
// The workspace configuration `ciiscope.yaml` (docs/config.md). Every command
// reads it when present (./ciiscope.yaml or --config FILE); nothing requires
// it. Unknown keys, wrong types, bad cron expressions, time zones, CIDRs,
// port lists, dates and dangling references are errors of the form
// `FILE:LINE:COLUMN: message`. Relative paths are resolved against the
// folder of the file.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "service/cron.h"
#include "service/tz.h"

namespace ciiscope::service {

struct ConfigAuthorization {
  std::string ref, issuer;
  std::vector<std::string> scope;
  std::string from, to;  // YYYY-MM-DD (UTC), as `auth add` takes them
};

struct ReportSpec {
  std::string kind = "assessment";  // inventory|assessment|diff|drill|scorecard
  std::string format = "html";      // html|xlsx|csv|json|md|pdf
  std::string dir;                  // output folder (resolved)
  bool sign = false;
};

struct Profile {
  std::string name;
  std::vector<std::string> targets;  // addresses, CIDRs, ranges, host names
  std::vector<std::string> units;    // unit codes: their registered scopes
  std::string ports = "default";
  std::string engine = "connect";
  int rate = 0;         // packets/connects per second; 0 = engine default
  int concurrency = 0;  // 0 = engine default
  std::vector<std::string> rule_packs;  // resolved folders; empty = default packs
  std::vector<ReportSpec> reports;
  int line = 0;
};

// When a job runs: a cron expression in a time zone, or a fixed interval.
struct Cadence {
  std::optional<CronSpec> cron;
  int64_t every_seconds = 0;
  TimeZone tz;
  std::string text;  // as written
};

struct Schedule {
  std::string name;
  std::string profile;
  Cadence cadence;
  int line = 0;
};

using SlaTable = std::map<std::string, int>;  // severity -> days to fix

struct KeyPeriod {
  std::string name;
  int64_t from = 0, to = 0;  // Unix seconds, [from, to)
  TimeZone tz;
  std::vector<std::string> scope;  // profile names; empty = every profile
  std::optional<Cadence> cadence;  // replaces the schedules' cadence inside the window
  std::optional<SlaTable> sla;
  std::string alert_threshold = "high";
  int line = 0;
};

struct AlertSink {
  std::string type;  // file|webhook|syslog|email
  std::string path;  // file
  std::string url;   // webhook (http://host:port/path)
  std::string secret;  // webhook HMAC key (or secret_env)
  int timeout_ms = 5000;
  int retries = 3;
  std::string address;  // syslog: /dev/log or host:port (UDP); email: SMTP host:port
  std::string facility = "daemon";
  std::string from;
  std::vector<std::string> to;
  std::string lang;            // zh|en; empty = the workspace language
  std::string min_severity;    // empty = every alert
};

struct Config {
  std::string path;     // the file read
  std::string database; // resolved; empty = not set
  std::string lang;
  std::string rules;
  std::string units_file;
  std::vector<ConfigAuthorization> authorizations;
  std::vector<std::string> exclusions;
  std::map<std::string, Profile> profiles;
  std::vector<Schedule> schedules;
  std::vector<KeyPeriod> key_periods;
  std::vector<AlertSink> sinks;
  int alert_rate_per_hour = 60;
  std::string alert_threshold = "high";   // new findings at or above alert (outside key periods)
  int64_t alert_period_seconds = 86400;   // the same finding alerts once per period
  bool daemon_syslog = false;             // daemon logs to syslog instead of a file/stderr
  SlaTable sla;                        // defaults below when not given
  std::map<std::string, double> scoring;  // severity -> weight
  int daemon_concurrency = 2;
  std::string daemon_log;              // file; empty = stderr
  // Rectification notices (report --kind notice) when the command line
  // leaves them out: 签发单位, reference prefix, days to reply (0 = not set).
  std::string notice_issuer;
  std::string notice_reference_prefix;
  int notice_reply_days = 0;
  // assess: assets unseen this many days get stale-asset findings (0 = off);
  // unset = the assessor's default. `assess --stale-days` wins.
  std::optional<int> stale_days;
};

Result<Config> ParseConfig(std::string_view text, const std::string& path);
Result<Config> LoadConfig(const std::string& path);  // caps the file at 1 MiB

}  // namespace ciiscope::service
