#pragma once
// The ledger pass of Assess (internal to assessor/): assigns each assessed
// asset to its unit and evaluates the ledger rules (rules tagged "ledger",
// e.g. asset-unowned, shuangfei-domain-outside-range) on asset-level facts:
//
//   asset:  {address, hostnames, unit: {code, name, level, owner} | null,
//            seen: {active: bool, passive: bool}  (which engines' evidence names it)}
//   ledger: {units: N, owned: bool,
//            domain: {name, domain, unit, unit_name, in_range} (one document
//                    per DNS name of the asset that a unit registered)}

#include <cstdint>
#include <string>
#include <vector>

#include "assessor/assessor.h"
#include "assessor/ledger.h"

namespace ciiscope::assessor {

bool IsLedgerRule(const rulelang::Rule& rule);  // tagged "ledger"

struct LedgerAsset {
  inventory::Asset asset;
  std::vector<std::string> names;     // CollectNames over its services' facts
  std::vector<int64_t> evidence_ids;  // this scan's evidence behind them
};

// The facts documents the ledger rules see for one asset (the first has no
// `ledger.domain`). Pure; exposed for tests.
std::vector<nlohmann::json> LedgerFacts(const UnitIndex& index, const LedgerAsset& asset);

// One assessed asset (all its services seen): records its unit, raises its
// ledger findings and verifies its ledger findings that no longer match.
// With an empty ledger (no units imported) no unit is assigned; the rules
// still run (ledger.units is 0).
Status AssessLedgerAsset(inventory::Store& store, const std::vector<const rulelang::Rule*>& rules,
                         const UnitIndex& index, const LedgerAsset& asset,
                         const AssessOptions& options, int64_t now, AssessStats& stats);

}  // namespace ciiscope::assessor
