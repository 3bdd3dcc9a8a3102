#include "service/alert_select.h"

#include <algorithm>

namespace ciiscope::service {

namespace {

constexpr int64_t kHourMs = 3600000;

const KeyPeriod* FindKeyPeriod(const Config& config, const std::string& name) {
  if (name.empty()) return nullptr;
  for (const auto& k : config.key_periods) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

// The finding's newest lifecycle move was a reopen during this scan.
Result<bool> ReopenedSince(inventory::Store& store, int64_t finding_id, int64_t since_ms) {
  CII_ASSIGN_OR_RETURN(auto events, store.FindingEvents(finding_id));
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    if (it->to_status == "reopened") return it->time >= since_ms;
  }
  return false;
}

Alert FromFinding(const inventory::Finding& f, bool reopened, const AlertScope& scope) {
  Alert a;
  a.key = f.key;
  a.kind = reopened ? "reopened_finding" : "new_finding";
  a.severity = f.severity;
  a.target = f.port != 0 ? f.address + ":" + std::to_string(f.port) : f.address;
  a.rule = f.rule_id;
  a.title_zh = f.title.zh;
  a.title_en = f.title.en;
  a.key_period = scope.key_period;
  a.time_ms = scope.now_ms;
  return a;
}

bool SinkTakes(const AlertSink& sink, const Alert& alert) {
  return sink.min_severity.empty() || SeverityLevel(alert.severity) >= SeverityLevel(sink.min_severity);
}

// Delivers to every sink that takes the alert; true if at least one did (or
// no sink takes it, which is not a failure).
bool DeliverAll(const Config& config, const Alert& alert, const DeliverFn& deliver,
                std::vector<std::string>& errors) {
  int tried = 0, ok = 0;
  for (const auto& sink : config.sinks) {
    if (!SinkTakes(sink, alert)) continue;
    ++tried;
    if (auto st = deliver(sink, alert, config.lang); st) {
      ++ok;
    } else {
      errors.push_back(sink.type + " sink: " + st.error().message());
    }
  }
  return tried == 0 || ok > 0;
}

}  // namespace

std::string AlertThreshold(const Config& config, const AlertScope& scope) {
  if (const KeyPeriod* k = FindKeyPeriod(config, scope.key_period)) return k->alert_threshold;
  return config.alert_threshold;
}

std::string AlertPeriod(const Config& config, const AlertScope& scope) {
  if (!scope.key_period.empty()) return "kp:" + scope.key_period;
  const int64_t len_ms = std::max<int64_t>(1, config.alert_period_seconds) * 1000;
  const int64_t index = scope.now_ms >= 0 ? scope.now_ms / len_ms : -1;
  return "p" + std::to_string(config.alert_period_seconds) + ":" + std::to_string(index);
}

Result<std::vector<Alert>> SelectAlerts(inventory::Store& store, const Config& config,
                                        const AlertScope& scope) {
  std::vector<Alert> out;
  CII_ASSIGN_OR_RETURN(auto scan, store.GetScan(scope.scan_id));
  if (!scan) return Error(ErrorCode::kNotFound, "no scan " + std::to_string(scope.scan_id));
  inventory::FindingFilter filter;
  filter.scan_id = scope.scan_id;
  filter.min_severity = AlertThreshold(config, scope);
  filter.statuses = {"open", "reopened"};
  CII_ASSIGN_OR_RETURN(auto findings, store.ListFindings(filter));
  const std::string period = AlertPeriod(config, scope);
  for (const auto& f : findings) {
    bool reopened = false;
    if (f.status == "reopened") {
      CII_ASSIGN_OR_RETURN(reopened, ReopenedSince(store, f.id, scan->started_at));
      if (!reopened) continue;
    } else if (f.first_seen_scan != scope.scan_id) {
      continue;  // open since an earlier scan: not new
    }
    CII_ASSIGN_OR_RETURN(bool recorded, store.AlertRecorded(period, f.key));
    if (recorded) continue;
    out.push_back(FromFinding(f, reopened, scope));
  }
  std::stable_sort(out.begin(), out.end(), [](const Alert& a, const Alert& b) {
    return SeverityLevel(a.severity) > SeverityLevel(b.severity);
  });
  return out;
}

Result<AlertRun> SendAlerts(inventory::Store& store, const Config& config, const AlertScope& scope,
                            const std::vector<Alert>& alerts, const DeliverFn& deliver) {
  AlertRun run;
  if (alerts.empty() || config.sinks.empty()) return run;
  const std::string period = AlertPeriod(config, scope);
  CII_ASSIGN_OR_RETURN(int64_t used, store.CountAlertsSentSince(scope.now_ms - kHourMs + 1));
  const int64_t room = std::max<int64_t>(0, config.alert_rate_per_hour - used);
  auto record = [&](const Alert& a, const char* delivery) {
    inventory::SentAlert row{a.key, period, scope.now_ms, a.kind, a.severity, a.target, scope.job_id, delivery};
    return store.RecordAlert(row);
  };
  size_t i = 0;
  for (; i < alerts.size() && static_cast<int64_t>(i) < room; ++i) {
    if (DeliverAll(config, alerts[i], deliver, run.errors)) {
      CII_RETURN_IF_ERROR(record(alerts[i], "sent"));
      ++run.sent;
    } else {
      ++run.failed;
    }
  }
  if (i == alerts.size()) return run;
  // Over the limit: one message for the rest, most severe first.
  const size_t rest = alerts.size() - i;
  Alert summary;
  summary.kind = "alerts_summarised";
  summary.key = "summary:" + std::to_string(scope.job_id) + ":" + std::to_string(scope.now_ms);
  summary.severity = alerts[i].severity;
  summary.key_period = scope.key_period;
  summary.time_ms = scope.now_ms;
  const std::string limit = std::to_string(config.alert_rate_per_hour);
  summary.title_zh = "另有 " + std::to_string(rest) + " 条告警超出速率限制（每小时 " + limit +
                     " 条），未逐条发送；首条：" + alerts[i].target + " " + alerts[i].rule;
  summary.title_en = std::to_string(rest) + " more alert(s) over the rate limit (" + limit +
                     "/h) not sent one by one; first: " + alerts[i].target + " " + alerts[i].rule;
  if (!DeliverAll(config, summary, deliver, run.errors)) {
    run.failed += static_cast<int>(rest);
    return run;
  }
  CII_RETURN_IF_ERROR(store.Transaction([&]() -> Status {
    for (size_t j = i; j < alerts.size(); ++j) CII_RETURN_IF_ERROR(record(alerts[j], "summarised"));
    return Ok();
  }));
  run.summarised = static_cast<int>(rest);
  return run;
}

}  // namespace ciiscope::service
