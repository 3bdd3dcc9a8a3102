#include "service/spotcheck.h"

#include <algorithm>
#include <cmath>

namespace ciiscope::service {

namespace {

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

std::vector<size_t> PickSpotCheck(const std::vector<SpotCandidate>& candidates, size_t count,
                                  uint64_t seed, double lookback_weight) {
  // Efraimidis–Spirakis: key = ln(u) / w with u uniform in (0, 1]; the
  // `count` largest keys are a weighted sample without replacement.
  uint64_t state = seed;
  std::vector<std::pair<double, size_t>> keys;
  keys.reserve(candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) {
    const double u = static_cast<double>((SplitMix64(state) >> 11) + 1) * 0x1.0p-53;
    const double w = candidates[i].lookback ? std::max(lookback_weight, 1e-9) : 1.0;
    keys.emplace_back(std::log(u) / w, i);
  }
  const size_t n = std::min(count, keys.size());
  std::partial_sort(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(n), keys.end(),
                    [](const auto& a, const auto& b) {
                      return a.first != b.first ? a.first > b.first : a.second < b.second;
                    });
  std::vector<size_t> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(keys[i].second);
  return out;
}

}  // namespace ciiscope::service
