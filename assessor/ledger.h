#pragma once
// The units ledger as the assessor uses it (DESIGN.md "Every unit is
// accountable"): which unit owns an address, and which unit a DNS name
// belongs to. Pure; built once per assessment from Store::ListUnits().

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/net.h"
#include "inventory/model/unit.h"

namespace ciiscope::assessor {

// ministry 0, province 1, city 2, county 3, school 4, department 5, other -1.
int LevelDepth(std::string_view level);

class UnitIndex {
 public:
  // CIDRs that do not parse are ignored (the importer validates them).
  explicit UnitIndex(std::vector<inventory::Unit> units);

  bool empty() const { return units_.empty(); }
  size_t size() const { return units_.size(); }

  // The most specific unit whose CIDR contains the address: longest prefix,
  // ties to the deeper level, then the lower id. nullptr if none.
  const inventory::Unit* Owner(const core::IpAddress& address) const;

  // The unit registering the longest domain that equals `name` or is a
  // suffix of it at a label boundary ("www.x.edu.cn" → "x.edu.cn").
  // Case-insensitive; a trailing dot is ignored. nullptr if none.
  struct DomainMatch {
    const inventory::Unit* unit = nullptr;
    std::string domain;
  };
  std::optional<DomainMatch> DomainOwner(std::string_view name) const;

  // Whether the address lies in a range of `unit` or of a unit below it.
  bool InRangesOf(const inventory::Unit& unit, const core::IpAddress& address) const;

 private:
  struct Block {
    core::Cidr cidr;
    size_t unit;  // index into units_
  };
  bool IsAncestorOrSelf(size_t ancestor, size_t unit) const;

  std::vector<inventory::Unit> units_;
  std::vector<Block> blocks_;
  std::vector<size_t> parent_;  // index of the parent, or npos
};

// DNS names an asset was seen under: its hostnames, the TLS certificate's
// SANs and subject CN, and the host of the HTTP URL, from a facts document
// (docs/facts.md). Lower-case, without trailing dots, IP literals and
// wildcards' "*." removed; appended to `names` if not already there.
void CollectNames(const nlohmann::json& facts, std::vector<std::string>& names);

}  // namespace ciiscope::assessor
