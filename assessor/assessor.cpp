#include "assessor/assessor.h"

#include <spdlog/spdlog.h>

#include <time.h>

#include <algorithm>

#include "assessor/http_paths.h"
#include "assessor/identify.h"
#include "assessor/ledger_assess.h"
#include "core/clock.h"
#include "core/hash.h"
#include "core/text.h"
#include "inventory/store/store.h"

namespace ciiscope::assessor {
namespace {

using nlohmann::json;

json ParseData(const inventory::Evidence& ev) {
  json data = json::parse(ev.data_json, nullptr, /*allow_exceptions=*/false);
  return data.is_discarded() ? json::object() : data;
}

// A compact record of what the rule saw, for reports (capped strings).
json Detail(const json& facts) {
  json d = json::object();
  d["service"] = facts["service"];
  auto cap = [](const json& v) {
    return v.is_string() ? json(core::TruncateUtf8(v.get<std::string>(), 256)) : v;
  };
  if (facts.contains("banner")) d["banner"] = cap(facts["banner"]);
  if (facts.contains("http")) {
    const json& h = facts["http"];
    json hd = json::object();
    for (const char* k : {"url", "status", "title"}) {
      if (h.contains(k)) hd[k] = cap(h[k]);
    }
    if (h.contains("headers") && h["headers"].contains("server")) {
      hd["server"] = cap(h["headers"]["server"]);
    }
    d["http"] = hd;
  }
  if (facts.contains("tls")) {
    const json& t = facts["tls"];
    json td = json::object();
    for (const char* k : {"version", "cipher"}) {
      if (t.contains(k)) td[k] = t[k];
    }
    if (t.contains("cert")) {
      for (const char* k : {"subject", "issuer", "not_after", "days_left", "self_signed"}) {
        if (t["cert"].contains(k)) td[std::string("cert_") + k] = cap(t["cert"][k]);
      }
    }
    d["tls"] = td;
  }
  return d;
}

// A named collect request's answer (evidence kind collect) as
// collect.<request with '_' for '-'>; the first per request wins.
void AddCollected(json& facts, json data) {
  if (!data.is_object() || !data.contains("request") || !data["request"].is_string()) return;
  std::string key = data["request"].get<std::string>();
  std::replace(key.begin(), key.end(), '-', '_');
  data.erase("request");
  json& collect = facts["collect"];
  if (!collect.contains(key)) collect[key] = std::move(data);
}

// CPU time of the calling thread, for the per-phase figures of AssessStats.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Adds the CPU time since the last call (or construction) to a phase.
class PhaseClock {
 public:
  PhaseClock() : last_(ThreadCpuSeconds()) {}
  void Charge(double& phase) {
    const double now = ThreadCpuSeconds();
    phase += now - last_;
    last_ = now;
  }

 private:
  double last_;
};

std::string JsonString(const json& v) {
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

json BuildFacts(const inventory::Asset& asset, const inventory::Service& service,
                const std::vector<inventory::Evidence>& evidence) {
  json facts = json::object();
  facts["asset"] = {{"address", asset.address}, {"hostnames", asset.hostnames}};
  facts["service"] = {{"transport", service.transport},
                      {"port", service.port},
                      {"state", service.state},
                      {"name", ""},
                      {"product", ""},
                      {"version", ""},
                      {"cpe", ""}};
  CollectedPaths paths;
  for (const auto& ev : evidence) {
    json data = ParseData(ev);
    if (ev.kind == "port_state") {
      if (data.contains("state")) facts["service"]["state"] = data["state"];
    } else if (ev.kind == "banner") {
      if (data.contains("text") && !facts.contains("banner")) facts["banner"] = data["text"];
    } else if (ev.kind == "http") {
      // Keep the first complete response (the one for "/").
      if (!facts.contains("http") && data.contains("status")) facts["http"] = data;
    } else if (ev.kind == "http_path") {
      paths.Add(std::move(data));
    } else if (ev.kind == "tls") {
      if (!facts.contains("tls")) facts["tls"] = data;
    } else if (ev.kind == "probe") {
      if (data.contains("probe") && data["probe"].is_string()) {
        facts["probe"][data["probe"].get<std::string>()] = data;
      }
    } else if (ev.kind == "collect") {
      AddCollected(facts, std::move(data));
    }
  }
  std::move(paths).WriteTo(facts);
  return facts;
}

std::string FindingKey(std::string_view rule_id, std::string_view address,
                       std::string_view transport, uint16_t port,
                       std::string_view discriminator) {
  std::string material;
  material.append(rule_id).append("|").append(address).append("|").append(transport);
  material.append("|").append(std::to_string(port)).append("|").append(discriminator);
  return core::Sha256Hex(material);
}

int64_t DueAt(std::string_view severity, int64_t from_millis) {
  constexpr int64_t kDay = 24LL * 3600 * 1000;
  if (severity == "critical") return from_millis + 3 * kDay;
  if (severity == "high") return from_millis + 7 * kDay;
  if (severity == "medium") return from_millis + 30 * kDay;
  if (severity == "low") return from_millis + 90 * kDay;
  return 0;
}

int64_t DueFor(const AssessOptions& options, std::string_view severity, std::string_view address,
               int64_t now_ms) {
  return options.due_at ? options.due_at(severity, address, now_ms) : DueAt(severity, now_ms);
}

int64_t AddVersionAge(json& facts, const inventory::Service& stored, int64_t stored_since,
                      int64_t at) {
  json& s = facts["service"];
  const std::string version = s.value("version", std::string());
  if (version.empty()) return 0;
  const bool unchanged = stored_since > 0 && version == stored.version &&
                         s.value("product", std::string()) == stored.product;
  const int64_t since = unchanged ? stored_since : at;
  s["version_since"] = since;
  s["version_age"] = since < at ? (at - since) / 1000 : 0;
  return since;
}

json StaleFacts(const inventory::Asset& asset, int64_t at, int stale_days) {
  json facts = json::object();
  facts["asset"] = {{"address", asset.address},       {"hostnames", asset.hostnames},
                    {"last_seen", asset.last_seen},   {"role", asset.role},
                    {"criticality", asset.criticality}, {"cii_status", asset.cii_status},
                    {"unseen_for", asset.last_seen < at ? (at - asset.last_seen) / 1000 : 0}};
  facts["stale"] = {{"after", int64_t{stale_days} * 86400}, {"days", stale_days}};
  return facts;
}

inventory::Finding NewFinding(const rulelang::Rule& rule, const inventory::Asset& asset,
                              const AssessOptions& options, int64_t now) {
  inventory::Finding f;
  f.rule_id = rule.id;
  f.rule_version = rule.version;
  f.severity = rule.severity;
  f.status = "open";
  f.asset_id = asset.id;
  f.address = asset.address;
  f.title = {rule.title.zh, rule.title.en};
  f.remediation = {rule.remediation.zh, rule.remediation.en};
  f.references = rule.references;
  f.first_seen_scan = f.last_seen_scan = options.scan_id;
  f.first_seen = f.last_seen = now;
  f.due_at = DueFor(options, rule.severity, asset.address, now);
  return f;
}

Status UpsertCounted(inventory::Store& store, const std::vector<inventory::Finding>& findings,
                     const AssessOptions& options, AssessStats& stats) {
  CII_ASSIGN_OR_RETURN(auto outcomes, store.UpsertFindings(findings, options.scan_id, options.actor));
  for (const auto& outcome : outcomes) {
    ++stats.findings_seen;
    if (outcome.created) ++stats.findings_new;
    if (outcome.reopened) ++stats.findings_reopened;
  }
  return Ok();
}

static bool IsStaleRule(const rulelang::Rule& rule) {
  return std::find(rule.tags.begin(), rule.tags.end(), "stale") != rule.tags.end();
}

RulePlan PlanRules(const std::vector<rulelang::Rule>& rules) {
  RulePlan plan;
  for (const auto& rule : rules) {
    switch (rule.kind) {
      case rulelang::RuleKind::kFingerprint: plan.fingerprints.push_back(&rule); break;
      case rulelang::RuleKind::kIdentify: plan.identifies.push_back(&rule); break;
      case rulelang::RuleKind::kCheck:
        (IsStaleRule(rule)    ? plan.stale_checks
         : IsLedgerRule(rule) ? plan.ledger_checks
                              : plan.checks)
            .push_back(&rule);
        break;
    }
  }
  plan.fingerprint_index = rulelang::RuleIndex(plan.fingerprints);
  return plan;
}

namespace {

// The stale pass: assets not seen for options.stale_days before `at` are
// evaluated by the stale rules (StaleFacts), a page at a time; stale
// findings of assets seen since then are verified (set-based).
Status AssessStale(inventory::Store& store, const std::vector<const rulelang::Rule*>& rules,
                   const AssessOptions& options, int64_t at, int64_t now, AssessStats& stats) {
  if (options.stale_days <= 0 || rules.empty()) return Ok();
  const int64_t cutoff = at - int64_t{options.stale_days} * 86400 * 1000;
  std::vector<std::string> rule_ids;
  for (const auto* rule : rules) rule_ids.push_back(rule->id);
  CII_RETURN_IF_ERROR(store.ForEachAssetNotSeenSince(
      cutoff, kAssessBatch, [&](const std::vector<inventory::Asset>& assets) -> Status {
        std::vector<inventory::Finding> findings;
        std::vector<std::string> keys;
        std::vector<int64_t> ids;
        for (const auto& asset : assets) {
          ++stats.stale_assets;
          ids.push_back(asset.id);
          const json facts = StaleFacts(asset, at, options.stale_days);
          for (const auto* rule : rules) {
            ++stats.evaluations;
            if (!rule->when.Matches(facts)) continue;
            inventory::Finding f = NewFinding(*rule, asset, options, now);
            f.key = FindingKey(rule->id, asset.address, "", 0);
            f.detail_json = JsonString(facts);
            keys.push_back(f.key);
            findings.push_back(std::move(f));
          }
        }
        return store.Transaction([&]() -> Status {
          CII_RETURN_IF_ERROR(UpsertCounted(store, findings, options, stats));
          CII_ASSIGN_OR_RETURN(int verified, store.VerifyAssetFindingsNotSeen(
                                                 options.scan_id, ids, rule_ids, keys,
                                                 options.actor));
          stats.findings_verified += static_cast<uint64_t>(verified);
          return Ok();
        });
      }));
  CII_ASSIGN_OR_RETURN(int verified, store.VerifyFindingsOfAssetsSeenSince(
                                         options.scan_id, rule_ids, cutoff, options.actor));
  stats.findings_verified += static_cast<uint64_t>(verified);
  return Ok();
}

// State of the asset whose services are being walked (they are adjacent in
// the walk): its identify matches and ledger names. Written when the walk
// moves on, so memory holds one asset, not the inventory.
struct CurrentAsset {
  bool active = false;
  IdentityMerger identities;
  LedgerAsset ledger;
};

}  // namespace

Result<AssessStats> Assess(inventory::Store& store, const std::vector<rulelang::Rule>& rules,
                           const AssessOptions& options) {
  CII_ASSIGN_OR_RETURN(auto scan, store.GetScan(options.scan_id));
  if (!scan) {
    return Error(ErrorCode::kNotFound, "scan " + std::to_string(options.scan_id) +
                                           " is not in the inventory");
  }
  const RulePlan plan = PlanRules(rules);
  CII_ASSIGN_OR_RETURN(auto units, store.ListUnits());
  const UnitIndex unit_index(std::move(units));

  AssessStats stats;
  const int64_t now = core::NowMillis();
  // The scan's own time: zombie ages and staleness are judged as of then,
  // so reassessing an old scan gives the answer it gave at the time.
  const int64_t scan_time = scan->started_at > 0 ? scan->started_at : now;
  CurrentAsset current;
  PhaseClock clock;

  // Writes what was concluded about the current asset.
  auto finish_asset = [&]() -> Status {
    if (!current.active) return Ok();
    clock.Charge(stats.cpu.evaluate);
    for (const auto& [asset_id, id] : current.identities.assets()) {
      CII_RETURN_IF_ERROR(store.SetAssetIdentity(asset_id, id.role, id.criticality,
                                                 id.cii_candidate, id.data_tags, id.rule_id));
      if (!id.role.empty()) ++stats.assets_identified;
      if (id.cii_candidate) ++stats.cii_candidates;
    }
    CII_RETURN_IF_ERROR(AssessLedgerAsset(store, plan.ledger_checks, unit_index, current.ledger,
                                          options, now, stats));
    current = CurrentAsset();
    clock.Charge(stats.cpu.ledger);
    return Ok();
  };

  // Per batch: evaluate every service, then write in one transaction —
  // identities, findings (prepared once per batch), and the set-based
  // verification of this batch's services against this batch's keys.
  std::vector<inventory::ServiceIdentity> identified;
  std::vector<inventory::Finding> findings;
  std::vector<int64_t> service_ids;
  std::vector<std::string> keys;
  auto per_batch = [&](const inventory::ServiceBatch& batch) -> Status {
    identified.clear();
    findings.clear();
    service_ids.clear();
    keys.clear();
    clock.Charge(stats.cpu.read);
    Status written = store.Transaction([&]() -> Status {
      for (const auto& item : batch.items) {
        const inventory::Asset& asset = batch.assets[item.asset];
        const inventory::Service& service = item.service;
        if (current.active && current.ledger.asset.id != asset.id) {
          CII_RETURN_IF_ERROR(finish_asset());
        }
        if (!current.active) {
          current.active = true;
          current.ledger.asset = asset;
          current.identities.Saw(asset.id);
        }
        ++stats.services;
        service_ids.push_back(service.id);
        json facts = BuildFacts(asset, service, item.evidence);
        // Identify rules see the fingerprinted facts; what they set
        // (asset.role, …) is visible to this service's check rules.
        std::vector<const rulelang::Rule*> matched;
        int64_t version_since = 0;
        stats.evaluations += EvaluateService(
            plan, facts,
            [&](json& f) {
              version_since = AddVersionAge(f, service, item.version_since, scan_time);
            },
            [&](const rulelang::Rule& rule) { current.identities.Add(asset.id, rule); },
            [&](const rulelang::Rule& rule) { matched.push_back(&rule); });
        const json& s = facts["service"];
        auto str = [&](const char* k) { return s.value(k, std::string()); };
        if (str("name") != service.name || str("product") != service.product ||
            str("version") != service.version || str("cpe") != service.cpe ||
            version_since != item.version_since) {
          ++stats.identified;
          identified.push_back({service.id, str("name"), str("product"), str("version"),
                                str("cpe"), version_since});
        }
        std::vector<int64_t> evidence_ids;
        evidence_ids.reserve(item.evidence.size());
        for (const auto& ev : item.evidence) evidence_ids.push_back(ev.id);
        // The ledger pass runs with or without units (asset-passive-only
        // needs none), so every asset collects its names and evidence.
        CollectNames(facts, current.ledger.names);
        current.ledger.evidence_ids.insert(current.ledger.evidence_ids.end(),
                                           evidence_ids.begin(), evidence_ids.end());
        if (matched.empty()) continue;
        const std::string detail_base = JsonString(Detail(facts));
        for (const auto* rule : matched) {
          inventory::Finding f = NewFinding(*rule, asset, options, now);
          f.key = FindingKey(rule->id, asset.address, service.transport, service.port);
          f.service_id = service.id;
          f.port = service.port;
          f.transport = service.transport;
          json collected_paths = CollectedPathsDetail(*rule, facts);
          json collected_requests = CollectedRequestsDetail(*rule, facts);
          if (!collected_paths.is_null() || !collected_requests.is_null()) {
            json detail = Detail(facts);
            if (!collected_paths.is_null()) detail["http_paths"] = std::move(collected_paths);
            if (!collected_requests.is_null()) detail["collected"] = std::move(collected_requests);
            f.detail_json = JsonString(detail);
          } else {
            f.detail_json = detail_base;
          }
          f.evidence_ids = evidence_ids;
          keys.push_back(f.key);
          findings.push_back(std::move(f));
        }
      }
      clock.Charge(stats.cpu.evaluate);
      CII_RETURN_IF_ERROR(store.UpdateServiceIdentities(identified));
      CII_RETURN_IF_ERROR(UpsertCounted(store, findings, options, stats));
      CII_ASSIGN_OR_RETURN(int verified,
                           store.VerifyNotSeen(options.scan_id, service_ids, keys, options.actor));
      stats.findings_verified += static_cast<uint64_t>(verified);
      clock.Charge(stats.cpu.write);
      return Ok();
    });
    clock.Charge(stats.cpu.commit);
    return written;
  };

  CII_RETURN_IF_ERROR(
      store.ForEachServiceBatch(options.scan_id, kAssessBatch, /*with_raw=*/false, per_batch));
  clock.Charge(stats.cpu.read);
  CII_RETURN_IF_ERROR(store.Transaction(finish_asset));
  clock.Charge(stats.cpu.commit);
  CII_RETURN_IF_ERROR(AssessStale(store, plan.stale_checks, options, scan_time, now, stats));
  clock.Charge(stats.cpu.stale);
  spdlog::info("assessed scan {}: {} services, {} evaluations, {} findings ({} new)",
               options.scan_id, stats.services, stats.evaluations, stats.findings_seen,
               stats.findings_new);
  spdlog::debug("assess CPU seconds: read {:.2f}, evaluate {:.2f}, write {:.2f}, commit {:.2f}, "
                "ledger {:.2f}, stale {:.2f}",
                stats.cpu.read, stats.cpu.evaluate, stats.cpu.write, stats.cpu.commit,
                stats.cpu.ledger, stats.cpu.stale);
  return stats;
}

}  // namespace ciiscope::assessor
