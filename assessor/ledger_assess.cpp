#include "assessor/ledger_assess.h"

#include <algorithm>

#include "inventory/store/store.h"

namespace ciiscope::assessor {

using nlohmann::json;

bool IsLedgerRule(const rulelang::Rule& rule) {
  return std::find(rule.tags.begin(), rule.tags.end(), "ledger") != rule.tags.end();
}

std::vector<json> LedgerFacts(const UnitIndex& index, const LedgerAsset& asset) {
  auto address = core::IpAddress::Parse(asset.asset.address);
  const inventory::Unit* owner = address ? index.Owner(*address) : nullptr;
  json base = json::object();
  base["asset"] = {{"address", asset.asset.address},
                   {"hostnames", asset.asset.hostnames},
                   {"seen", {{"active", asset.asset.seen_active},
                             {"passive", asset.asset.seen_passive}}}};
  base["asset"]["unit"] = owner == nullptr
                              ? json(nullptr)
                              : json{{"code", owner->code}, {"name", owner->name},
                                     {"level", owner->level}, {"owner", owner->owner}};
  base["ledger"] = {{"units", index.size()}, {"owned", owner != nullptr}};
  std::vector<json> docs = {base};
  for (const auto& name : asset.names) {
    auto match = index.DomainOwner(name);
    if (!match) continue;
    json doc = base;
    doc["ledger"]["domain"] = {{"name", name},
                               {"domain", match->domain},
                               {"unit", match->unit->code},
                               {"unit_name", match->unit->name},
                               {"in_range", address && index.InRangesOf(*match->unit, *address)}};
    docs.push_back(std::move(doc));
  }
  return docs;
}

Status AssessLedgerAsset(inventory::Store& store, const std::vector<const rulelang::Rule*>& rules,
                         const UnitIndex& index, const LedgerAsset& entry,
                         const AssessOptions& options, int64_t now, AssessStats& stats) {
  // Without a ledger no asset is assigned a unit, but the rules still run:
  // those about the ledger test ledger.units, others (asset-passive-only)
  // need none.
  const int64_t id = entry.asset.id;
  std::vector<std::string> rule_ids, seen_keys;
  for (const auto* rule : rules) rule_ids.push_back(rule->id);
  std::vector<json> docs = LedgerFacts(index, entry);
  const json& unit = docs[0]["asset"]["unit"];
  int64_t unit_id = 0;
  if (!unit.is_null()) {
    auto address = core::IpAddress::Parse(entry.asset.address);
    unit_id = index.Owner(*address)->id;
  }
  if (!index.empty()) {
    CII_RETURN_IF_ERROR(store.SetAssetUnit(id, unit_id, unit_id ? "registered" : "shadow"));
  }
  std::vector<inventory::Finding> findings;
  for (const auto& facts : docs) {
    const json* domain = rulelang::GetField(facts, "ledger.domain.name");
    std::string discriminator = domain ? domain->get<std::string>() : std::string();
    for (const auto* rule : rules) {
      ++stats.evaluations;
      if (!rule->when.Matches(facts)) continue;
      std::string key = FindingKey(rule->id, entry.asset.address, "", 0, discriminator);
      if (std::find(seen_keys.begin(), seen_keys.end(), key) != seen_keys.end()) continue;
      inventory::Finding f = NewFinding(*rule, entry.asset, options, now);
      f.key = std::move(key);
      f.detail_json = facts.dump(-1, ' ', false, json::error_handler_t::replace);
      f.evidence_ids = entry.evidence_ids;
      seen_keys.push_back(f.key);
      findings.push_back(std::move(f));
    }
  }
  CII_RETURN_IF_ERROR(UpsertCounted(store, findings, options, stats));
  CII_ASSIGN_OR_RETURN(int verified,
                       store.VerifyAssetFindingsNotSeen(options.scan_id, {id}, rule_ids,
                                                        seen_keys, options.actor));
  stats.findings_verified += static_cast<uint64_t>(verified);
  return Ok();
}

}  // namespace ciiscope::assessor
