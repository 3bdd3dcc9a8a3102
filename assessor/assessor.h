#pragma once
// The assessor (DESIGN.md): a pure function of stored evidence and rule
// files. It never opens a socket. For every service with evidence in a scan:
//   facts ← evidence;  fingerprint rules set name/product/version;
//   identify rules give the asset a role, criticality, CII candidacy and
//   data tags (assessor/identify.h; an operator's decision is kept);
//   check rules raise findings, deduplicated by a stable key;
//   findings on assessed services that no longer match become verified.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "inventory/model/model.h"
#include "rulelang/rule.h"

namespace ciiscope::inventory {
class Store;
}

namespace ciiscope::assessor {

struct AssessOptions {
  int64_t scan_id = 0;        // required
  std::string actor = "ciiscope";
};

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
};
RulePlan PlanRules(const std::vector<rulelang::Rule>& rules);

// One service: fingerprint rules, then identify rules (on_identify(rule) for
// each match), then check rules (on_check(rule) for each match), all on
// `facts`. Returns the number of rule evaluations. Pure; no I/O.
template <typename OnIdentify, typename OnCheck>
uint64_t EvaluateService(const RulePlan& plan, nlohmann::json& facts, OnIdentify&& on_identify,
                         OnCheck&& on_check) {
  for (const auto* rule : plan.fingerprints) rulelang::ApplyFingerprint(*rule, facts);
  for (const auto* rule : plan.identifies) {
    if (rulelang::ApplyFingerprint(*rule, facts)) on_identify(*rule);
  }
  for (const auto* rule : plan.checks) {
    if (rule->when.Matches(facts)) on_check(*rule);
  }
  return plan.fingerprints.size() + plan.identifies.size() + plan.checks.size();
}

// Services per page and per write transaction in Assess.
inline constexpr size_t kAssessBatch = 512;

// Runs all rules over the scan's evidence, streamed: services are read a
// page at a time (Store::ForEachServiceBatch) and each page's results are
// written in one transaction, so memory is flat in inventory size. A failed
// run leaves the pages before it assessed; rerunning is idempotent.
Result<AssessStats> Assess(inventory::Store& store, const std::vector<rulelang::Rule>& rules,
                           const AssessOptions& options);

}  // namespace ciiscope::assessor
