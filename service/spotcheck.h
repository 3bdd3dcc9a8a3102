#pragma once
// Spot checks (飞行检查, docs/spotcheck.md): which units to check now. Units
// are drawn at random without replacement, a look-back unit (回头看) being
// `lookback_weight` times as likely to be drawn as another. Deterministic for
// a seed on every platform (SplitMix64 and Efraimidis–Spirakis keys, no
// std:: distributions), so a recorded pick can be reproduced.

#include <cstdint>
#include <string>
#include <vector>

namespace ciiscope::service {

struct SpotCandidate {
  std::string code;
  bool lookback = false;
};

inline constexpr double kDefaultLookbackWeight = 4.0;

// Indexes into `candidates`, in pick order; min(count, size) of them.
// Candidates should come in a stable order (e.g. by code).
std::vector<size_t> PickSpotCheck(const std::vector<SpotCandidate>& candidates, size_t count,
                                  uint64_t seed, double lookback_weight = kDefaultLookbackWeight);

}  // namespace ciiscope::service
