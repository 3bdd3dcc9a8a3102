#include "assessor/identify.h"

#include <algorithm>

namespace ciiscope::assessor {

void IdentityMerger::Add(int64_t asset_id, const rulelang::Rule& rule) {
  AssetIdentity& a = assets_[asset_id];
  const rulelang::Identity& id = rule.identity;
  if (rulelang::CriticalityRank(id.criticality) > rulelang::CriticalityRank(a.criticality)) {
    a.role = id.role;
    a.criticality = id.criticality;
    a.rule_id = rule.id;
  }
  a.cii_candidate = a.cii_candidate || id.cii_candidate;
  for (const std::string& tag : id.data_tags) {
    auto at = std::lower_bound(a.data_tags.begin(), a.data_tags.end(), tag);
    if (at == a.data_tags.end() || *at != tag) a.data_tags.insert(at, tag);
  }
}

}  // namespace ciiscope::assessor
