#include "assessor/assessor.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

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

RulePlan PlanRules(const std::vector<rulelang::Rule>& rules) {
  RulePlan plan;
  for (const auto& rule : rules) {
    switch (rule.kind) {
      case rulelang::RuleKind::kFingerprint: plan.fingerprints.push_back(&rule); break;
      case rulelang::RuleKind::kIdentify: plan.identifies.push_back(&rule); break;
      case rulelang::RuleKind::kCheck:
        (IsLedgerRule(rule) ? plan.ledger_checks : plan.checks).push_back(&rule);
        break;
    }
  }
  return plan;
}

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
  std::map<int64_t, LedgerAsset> ledger_assets;
  IdentityMerger identities;

  AssessStats stats;
  std::vector<int64_t> assessed;
  std::vector<std::string> seen_keys;
  const int64_t now = core::NowMillis();

  auto per_service = [&](const inventory::Asset& asset, const inventory::Service& service,
                         const std::vector<inventory::Evidence>& evidence) -> Status {
    ++stats.services;
    assessed.push_back(service.id);
    json facts = BuildFacts(asset, service, evidence);
    // Identify rules see the fingerprinted facts; what they set (asset.role,
    // …) is visible to this service's check rules.
    identities.Saw(asset.id);
    std::vector<const rulelang::Rule*> matched;
    stats.evaluations += EvaluateService(
        plan, facts, [&](const rulelang::Rule& rule) { identities.Add(asset.id, rule); },
        [&](const rulelang::Rule& rule) { matched.push_back(&rule); });
    const json& s = facts["service"];
    auto str = [&](const char* k) { return s.value(k, std::string()); };
    if (str("name") != service.name || str("product") != service.product ||
        str("version") != service.version || str("cpe") != service.cpe) {
      ++stats.identified;
      CII_RETURN_IF_ERROR(store.UpdateServiceIdentity(service.id, str("name"), str("product"),
                                                      str("version"), str("cpe")));
    }
    std::vector<int64_t> evidence_ids;
    evidence_ids.reserve(evidence.size());
    for (const auto& ev : evidence) evidence_ids.push_back(ev.id);
    {
      LedgerAsset& entry = ledger_assets[asset.id];
      entry.asset = asset;
      CollectNames(facts, entry.names);
      entry.evidence_ids.insert(entry.evidence_ids.end(), evidence_ids.begin(),
                                evidence_ids.end());
    }

    for (const auto* rule : matched) {
      inventory::Finding f;
      f.key = FindingKey(rule->id, asset.address, service.transport, service.port);
      f.rule_id = rule->id;
      f.rule_version = rule->version;
      f.severity = rule->severity;
      f.status = "open";
      f.asset_id = asset.id;
      f.service_id = service.id;
      f.address = asset.address;
      f.port = service.port;
      f.transport = service.transport;
      f.title = {rule->title.zh, rule->title.en};
      f.remediation = {rule->remediation.zh, rule->remediation.en};
      f.references = rule->references;
      json detail = Detail(facts);
      if (json collected = CollectedPathsDetail(*rule, facts); !collected.is_null()) {
        detail["http_paths"] = std::move(collected);
      }
      f.detail_json = JsonString(detail);
      f.evidence_ids = evidence_ids;
      f.first_seen_scan = f.last_seen_scan = options.scan_id;
      f.first_seen = f.last_seen = now;
      f.due_at = DueFor(options, rule->severity, asset.address, now);
      CII_ASSIGN_OR_RETURN(auto outcome, store.UpsertFinding(f, options.scan_id, options.actor));
      ++stats.findings_seen;
      if (outcome.created) ++stats.findings_new;
      if (outcome.reopened) ++stats.findings_reopened;
      seen_keys.push_back(f.key);
    }
    return Ok();
  };

  CII_RETURN_IF_ERROR(store.Transaction([&]() -> Status {
    CII_RETURN_IF_ERROR(store.ForEachServiceInScan(options.scan_id, per_service));
    CII_ASSIGN_OR_RETURN(int verified, store.VerifyNotSeen(options.scan_id, assessed, seen_keys,
                                                           options.actor));
    stats.findings_verified = static_cast<uint64_t>(verified);
    for (const auto& [asset_id, id] : identities.assets()) {
      CII_RETURN_IF_ERROR(store.SetAssetIdentity(asset_id, id.role, id.criticality, id.cii_candidate,
                                                 id.data_tags, id.rule_id));
      if (!id.role.empty()) ++stats.assets_identified;
      if (id.cii_candidate) ++stats.cii_candidates;
    }
    return AssessLedger(store, plan.ledger_checks, unit_index, ledger_assets, options, now, stats);
  }));
  spdlog::info("assessed scan {}: {} services, {} evaluations, {} findings ({} new)",
               options.scan_id, stats.services, stats.evaluations, stats.findings_seen,
               stats.findings_new);
  return stats;
}

}  // namespace ciiscope::assessor
