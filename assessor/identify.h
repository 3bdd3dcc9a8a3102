#pragma once
// CII identification: identify rules (rulelang Identity) matched on the
// services of an asset are merged into one conclusion per asset.
//   role, criticality: of the most critical match (ties: the first rule in
//                      load order, i.e. sorted by file path)
//   CII candidate:     any matching rule says so
//   data tags:         union, sorted
// Pure: the caller writes the result (Store::SetAssetIdentity), which keeps
// an operator's confirm/reject.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "rulelang/rule.h"

namespace ciiscope::assessor {

struct AssetIdentity {
  std::string role;
  std::string criticality;
  bool cii_candidate = false;
  std::vector<std::string> data_tags;  // sorted, unique
  std::string rule_id;                 // the rule that gave role/criticality
};

class IdentityMerger {
 public:
  // An asset was assessed (so a missing match clears an old conclusion).
  void Saw(int64_t asset_id) { assets_.try_emplace(asset_id); }
  // `rule` (kind identify) matched a service of the asset.
  void Add(int64_t asset_id, const rulelang::Rule& rule);
  const std::map<int64_t, AssetIdentity>& assets() const { return assets_; }

 private:
  std::map<int64_t, AssetIdentity> assets_;
};

}  // namespace ciiscope::assessor
