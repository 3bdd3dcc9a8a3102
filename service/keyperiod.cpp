#include "service/keyperiod.h"

#include <algorithm>
#include <set>

#include "inventory/store/store.h"

namespace ciiscope::service {

namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;

void AddTarget(PeriodScope& scope, const std::string& spec) {
  scope.text.push_back(spec);
  if (auto c = core::Cidr::Parse(spec)) {
    scope.cidrs.push_back(*c);
  } else if (auto r = core::IpRange::Parse(spec)) {
    scope.ranges.push_back(*r);
  } else {
    scope.names.push_back(spec);
  }
}

std::string KindOfAlert(const std::string& item_kind) {
  if (item_kind == "service") return "new_service";
  if (item_kind == "shadow") return "new_shadow_asset";
  return "new_finding";
}

}  // namespace

int SeverityRank(std::string_view s) {
  if (s == "info") return 0;
  if (s == "low") return 1;
  if (s == "medium") return 2;
  if (s == "high") return 3;
  if (s == "critical") return 4;
  return -1;
}

PeriodScope ResolvePeriodScope(const KeyPeriod& period, const Config& config,
                               const std::vector<inventory::Unit>& units) {
  PeriodScope scope;
  if (period.scope.empty()) return scope;
  scope.everything = false;
  for (const auto& name : period.scope) {
    auto p = config.profiles.find(name);
    if (p == config.profiles.end()) continue;  // config check refuses this
    for (const auto& t : p->second.targets) AddTarget(scope, t);
    for (const auto& code : p->second.units) {
      for (const auto& u : units) {
        if (u.code != code) continue;
        for (const auto& c : u.cidrs) AddTarget(scope, c);
      }
    }
  }
  return scope;
}

bool InScope(const PeriodScope& scope, std::string_view address) {
  if (scope.everything) return true;
  if (auto ip = core::IpAddress::Parse(address)) {
    for (const auto& c : scope.cidrs) {
      if (c.Contains(*ip)) return true;
    }
    for (const auto& r : scope.ranges) {
      if (r.Contains(*ip)) return true;
    }
  }
  return std::find(scope.names.begin(), scope.names.end(), address) != scope.names.end();
}

int64_t PeriodFromMs(const KeyPeriod& p) { return p.from * 1000; }
int64_t PeriodToMs(const KeyPeriod& p) { return p.to * 1000; }
bool ActiveAt(const KeyPeriod& p, int64_t now_ms) {
  return PeriodFromMs(p) <= now_ms && now_ms < PeriodToMs(p);
}

const KeyPeriod* FindPeriod(const Config& config, std::string_view name) {
  for (const auto& p : config.key_periods) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

DuePolicy::DuePolicy(const Config& config, const std::vector<inventory::Unit>& units)
    : base_(config.sla) {
  for (const auto& p : config.key_periods) {
    if (!p.sla) continue;
    overrides_.push_back({PeriodFromMs(p), PeriodToMs(p), *p.sla, ResolvePeriodScope(p, config, units)});
  }
}

int64_t DuePolicy::DueAt(std::string_view severity, std::string_view address, int64_t now_ms) const {
  const std::string sev(severity);
  std::optional<int> days;
  if (auto it = base_.find(sev); it != base_.end()) days = it->second;
  for (const auto& o : overrides_) {
    if (now_ms < o.from || now_ms >= o.to || !InScope(o.scope, address)) continue;
    auto it = o.sla.find(sev);
    if (it != o.sla.end() && (!days || it->second < *days)) days = it->second;
  }
  return days ? now_ms + *days * kDayMs : 0;
}

Result<inventory::KeyPeriodBaseline> TakeBaseline(inventory::Store& store, const Config& config,
                                                  const KeyPeriod& period, int64_t now_ms,
                                                  const std::string& actor,
                                                  const std::string& trigger) {
  CII_ASSIGN_OR_RETURN(auto units, store.ListUnits());
  const PeriodScope scope = ResolvePeriodScope(period, config, units);
  std::vector<inventory::ExposureItem> items;
  CII_RETURN_IF_ERROR(store.ForEachExposureItem([&](const inventory::ExposureItem& it) -> Status {
    if (InScope(scope, it.address)) items.push_back(it);
    return Ok();
  }));
  inventory::KeyPeriodBaseline b;
  b.name = period.name;
  b.window_from = PeriodFromMs(period);
  b.window_to = PeriodToMs(period);
  b.taken_at = now_ms;
  b.actor = actor;
  b.trigger = trigger;
  b.scope = scope.text;
  CII_ASSIGN_OR_RETURN(b.id, store.SaveKeyPeriodBaseline(b, items));
  return b;
}

Result<std::vector<std::string>> EnsureBaselines(inventory::Store& store, const Config& config,
                                                 int64_t now_ms, const std::string& actor) {
  std::vector<std::string> taken;
  for (const auto& p : config.key_periods) {
    if (!ActiveAt(p, now_ms)) continue;
    CII_ASSIGN_OR_RETURN(auto existing, store.LatestKeyPeriodBaseline(p.name, PeriodFromMs(p)));
    if (existing) continue;
    CII_RETURN_IF_ERROR(TakeBaseline(store, config, p, now_ms, actor, "auto"));
    taken.push_back(p.name);
  }
  return taken;
}

Result<KeyPeriodDelta> ComputeDelta(inventory::Store& store, const Config& config,
                                    const KeyPeriod& period,
                                    const inventory::KeyPeriodBaseline& baseline) {
  CII_ASSIGN_OR_RETURN(auto units, store.ListUnits());
  const PeriodScope scope = ResolvePeriodScope(period, config, units);
  CII_ASSIGN_OR_RETURN(auto before, store.KeyPeriodItems(baseline.id));
  std::set<std::pair<std::string, std::string>> had, have;
  for (const auto& it : before) had.emplace(it.kind, it.key);
  KeyPeriodDelta d;
  d.baseline = baseline;
  const int threshold = SeverityRank(period.alert_threshold);
  CII_RETURN_IF_ERROR(store.ForEachExposureItem([&](const inventory::ExposureItem& it) -> Status {
    if (!InScope(scope, it.address)) return Ok();
    have.emplace(it.kind, it.key);
    if (had.count({it.kind, it.key})) return Ok();
    if (it.kind == "service") {
      d.new_services.push_back(it);
    } else if (it.kind == "shadow") {
      d.new_shadow.push_back(it);
    } else if (SeverityRank(it.severity) >= threshold) {
      d.new_findings.push_back(it);
    }
    return Ok();
  }));
  for (const auto& it : before) {
    if (!have.count({it.kind, it.key})) d.closed.push_back(it);
  }
  return d;
}

Result<std::vector<Alert>> KeyPeriodAlerts(inventory::Store& store, const Config& config,
                                           int64_t now_ms) {
  std::vector<Alert> alerts;
  for (const auto& p : config.key_periods) {
    if (!ActiveAt(p, now_ms)) continue;
    CII_ASSIGN_OR_RETURN(auto baseline, store.LatestKeyPeriodBaseline(p.name, PeriodFromMs(p)));
    if (!baseline) {
      CII_RETURN_IF_ERROR(TakeBaseline(store, config, p, now_ms, "ciiscope", "auto"));
      continue;
    }
    CII_ASSIGN_OR_RETURN(KeyPeriodDelta d, ComputeDelta(store, config, p, *baseline));
    std::vector<const inventory::ExposureItem*> fresh;
    for (const auto* list : {&d.new_services, &d.new_findings, &d.new_shadow}) {
      for (const auto& it : *list) fresh.push_back(&it);
    }
    for (const auto* it : fresh) {
      CII_ASSIGN_OR_RETURN(bool first, store.MarkKeyPeriodAlerted(p.name, PeriodFromMs(p), it->kind,
                                                                  it->key, now_ms));
      if (!first) continue;
      Alert a;
      a.key = it->kind + ":" + it->key;
      a.kind = KindOfAlert(it->kind);
      a.severity = it->kind == "service" ? "medium" : it->kind == "shadow" ? "high" : it->severity;
      a.target = it->kind == "finding" && it->port != 0
                     ? it->address + ":" + std::to_string(it->port)
                     : it->kind == "service" ? it->label : it->address;
      a.rule = it->rule;
      a.title_zh = it->title_zh;
      a.title_en = it->title_en;
      a.key_period = p.name;
      a.time_ms = now_ms;
      alerts.push_back(std::move(a));
    }
  }
  return alerts;
}

}  // namespace ciiscope::service
