#pragma once
// The assessor (DESIGN.md): a pure function of stored evidence and rule
// files. It never opens a socket. For every service with evidence in a scan:
//   facts ← evidence;  fingerprint rules set name/product/version;
//   identify rules give the asset a role, criticality, CII candidacy and
//   data tags (assessor/identify.h; an operator's decision is kept);
//   check rules raise findings, deduplicated by a stable key;
//   findings on assessed services that no longer match become verified.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "inventory/model/model.h"
#include "rulelang/rule.h"
#include "rulelang/rule_index.h"

namespace ciiscope::inventory {
class Store;
}

namespace ciiscope::assessor {

// Assets not seen for this many days get stale-asset findings by default.
inline constexpr int kDefaultStaleDays = 30;

struct AssessOptions {
  int64_t scan_id = 0;        // required
  std::string actor = "ciiscope";
  // Stale-asset pass: assets whose last_seen is this many days before the
  // scan's start are evaluated by the rules tagged "stale"; 0 = off.
  int stale_days = kDefaultStaleDays;
  // Due time of a new finding (severity, asset address, now in Unix ms); the
  // workspace SLA table and key-period overrides (service::DuePolicy). Empty
  // = DueAt below.
  std::function<int64_t(std::string_view severity, std::string_view address, int64_t now_ms)>
      due_at;
};

// options.due_at when set, else DueAt(severity, now_ms).
int64_t DueFor(const AssessOptions& options, std::string_view severity, std::string_view address,
               int64_t now_ms);

struct AssessStats {
  uint64_t services = 0;
  uint64_t evaluations = 0;   // rule × service evaluations
  uint64_t identified = 0;    // services whose identity changed
  uint64_t findings_new = 0;
  uint64_t findings_seen = 0; // matched again (including new)
  uint64_t findings_reopened = 0;
  uint64_t findings_verified = 0;
  uint64_t assets_identified = 0;  // assets given a role by identify rules
  uint64_t cii_candidates = 0;     // of which identify rules call CII candidates
  uint64_t stale_assets = 0;       // assets the stale pass looked at
  // CPU seconds of this thread per phase (for benchmarks and --log-level
  // debug): reading pages of services and evidence, building facts and
  // evaluating rules, writing a page's results (identities, finding
  // upserts, set-based verify), committing, the per-asset ledger pass, and
  // the stale pass.
  struct Phases {
    double read = 0, evaluate = 0, write = 0, commit = 0, ledger = 0, stale = 0;
  } cpu;
};

// Facts document of one service (docs/facts.md), from that scan's evidence.
// Name/product/version start empty: fingerprint rules recompute them.
nlohmann::json BuildFacts(const inventory::Asset& asset, const inventory::Service& service,
                          const std::vector<inventory::Evidence>& evidence);

// sha256("rule|address|transport|port|discriminator"): stable across scans
// and databases, so the same problem on the same service is one finding.
std::string FindingKey(std::string_view rule_id, std::string_view address,
                       std::string_view transport, uint16_t port,
                       std::string_view discriminator = "");

// Due time for a new finding from its severity (default SLA table:
// critical 3 d, high 7 d, medium 30 d, low 90 d, info none → 0).
int64_t DueAt(std::string_view severity, int64_t from_millis);

// The rules split by kind, in load order: what Assess runs per service.
struct RulePlan {
  std::vector<const rulelang::Rule*> fingerprints;
  std::vector<const rulelang::Rule*> identifies;
  std::vector<const rulelang::Rule*> checks;         // service-level
  std::vector<const rulelang::Rule*> ledger_checks;  // asset-level (ledger_assess.h)
  std::vector<const rulelang::Rule*> stale_checks;   // asset-level, tagged "stale"
  // The fingerprints behind one RE2::Set per evidence field (rule_index.h).
  rulelang::RuleIndex fingerprint_index;
};
RulePlan PlanRules(const std::vector<rulelang::Rule>& rules);

// One service: fingerprint rules, then on_fingerprinted(facts) (the caller
// may add facts that depend on the identity), then identify rules
// (on_identify(rule) for each match), then check rules (on_check(rule) for
// each match), all on `facts`. Returns the number of rule evaluations. Pure.
template <typename OnFingerprinted, typename OnIdentify, typename OnCheck>
uint64_t EvaluateService(const RulePlan& plan, nlohmann::json& facts,
                         OnFingerprinted&& on_fingerprinted, OnIdentify&& on_identify,
                         OnCheck&& on_check) {
  plan.fingerprint_index.Apply(facts);
  on_fingerprinted(facts);
  for (const auto* rule : plan.identifies) {
    if (rulelang::ApplyFingerprint(*rule, facts)) on_identify(*rule);
  }
  for (const auto* rule : plan.checks) {
    if (rule->when.Matches(facts)) on_check(*rule);
  }
  return plan.fingerprints.size() + plan.identifies.size() + plan.checks.size();
}
template <typename OnIdentify, typename OnCheck>
uint64_t EvaluateService(const RulePlan& plan, nlohmann::json& facts, OnIdentify&& on_identify,
                         OnCheck&& on_check) {
  return EvaluateService(
      plan, facts, [](nlohmann::json&) {}, on_identify, on_check);
}

// Zombie-service facts (docs/facts.md): service.version_since (Unix ms) and
// service.version_age (seconds until `at`), when the fingerprinted version
// is known. `stored` is what the inventory holds for the service; the
// version counts as unchanged when product and version equal the stored
// ones and stored_since > 0. Returns the version_since to store (0 = none).
int64_t AddVersionAge(nlohmann::json& facts, const inventory::Service& stored,
                      int64_t stored_since, int64_t at);

// Stale-asset facts: {asset: {address, hostnames, last_seen, unseen_for (s),
// role, criticality, cii_status}, stale: {after (s), days}}.
nlohmann::json StaleFacts(const inventory::Asset& asset, int64_t at, int stale_days);

// A finding of `rule` on `asset` as Assess raises it (open, seen now in the
// scan, due from the severity); the caller sets key, service, detail and
// evidence.
inventory::Finding NewFinding(const rulelang::Rule& rule, const inventory::Asset& asset,
                              const AssessOptions& options, int64_t now);

// Store::UpsertFindings, counting seen/new/reopened into stats.
Status UpsertCounted(inventory::Store& store, const std::vector<inventory::Finding>& findings,
                     const AssessOptions& options, AssessStats& stats);

// Services per page and per write transaction in Assess.
inline constexpr size_t kAssessBatch = 512;

// Runs all rules over the scan's evidence, streamed: services are read a
// page at a time (Store::ForEachServiceBatch) and each page's results are
// written in one transaction, so memory is flat in inventory size. A failed
// run leaves the pages before it assessed; rerunning is idempotent.
Result<AssessStats> Assess(inventory::Store& store, const std::vector<rulelang::Rule>& rules,
                           const AssessOptions& options);

}  // namespace ciiscope::assessor
