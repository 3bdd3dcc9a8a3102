#pragma once
// Alerts and their delivery (docs/config.md "Alert sinks"): a file (JSON
// lines), a webhook (HTTP POST of JSON with an HMAC-SHA256 signature header,
// retries with exponential backoff, bounded timeouts), syslog (RFC 5424 over
// UDP to host:port or the local /dev/log socket) and e-mail through an SMTP
// server. Hosts are IP literals or `localhost`; nothing else is resolved.
// The dispatcher sends a given alert key once per period and stops floods
// with an hourly rate limit.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "service/config.h"

namespace ciiscope::service {

struct Alert {
  std::string key;        // what makes two alerts "the same" (e.g. the finding key)
  std::string kind;       // new_finding | new_service | new_shadow_asset | job_failed
  std::string severity;   // info..critical
  std::string target;     // address[:port]
  std::string rule;       // rule id, when a finding
  std::string title_zh, title_en;
  std::string key_period; // non-empty during a key period
  int64_t time_ms = 0;
};

// One line in zh or en, e.g. "[高危] 新发现: 127.77.0.5:6379 Redis 未授权访问 (重保期 k)".
std::string AlertText(const Alert& alert, const std::string& lang);
std::string AlertJson(const Alert& alert, const std::string& lang);
// RFC 5424: "<PRI>1 TIMESTAMP HOST ciiscope PID ALERT - MSG".
std::string SyslogLine(const Alert& alert, const std::string& lang, const std::string& facility,
                       const std::string& host, int pid);
// info 0, low 1, medium 2, high 3, critical 4; anything else 0.
int SeverityLevel(std::string_view severity);
// Lower-case hex HMAC-SHA256.
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// Delivers to one sink; lang = the sink's, else `default_lang`.
Status Deliver(const AlertSink& sink, const Alert& alert, const std::string& default_lang);

class AlertDispatcher {
 public:
  using Clock = std::function<int64_t()>;  // Unix ms; injected in tests
  AlertDispatcher(std::vector<AlertSink> sinks, std::string lang, int rate_per_hour, Clock clock);

  struct Outcome {
    bool sent = false;
    std::string skipped;              // "duplicate" | "rate limited" | "" when sent
    std::vector<std::string> errors;  // one per sink that failed (after retries)
  };
  // `period` scopes de-duplication: the same key alerts once per period
  // (e.g. the key period's name, or the day).
  Outcome Dispatch(const Alert& alert, const std::string& period);

 private:
  std::vector<AlertSink> sinks_;
  std::string lang_;
  int rate_per_hour_;
  Clock clock_;
  std::map<std::string, bool> seen_;  // period + "\n" + key
  std::vector<int64_t> sent_times_;   // within the last hour
};

}  // namespace ciiscope::service
