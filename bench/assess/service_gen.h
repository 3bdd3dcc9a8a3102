#pragma once
// Synthetic but realistic service evidence for the assessment benchmark:
// SSH/FTP/SMTP/MySQL/Redis banners and probes, HTTP pages of campus systems
// (portals, SSO, academic affairs, OA, default pages, consoles), TLS facts
// (legacy versions, expiring/self-signed/SHA-1 certificates), exposed
// high-risk ports. Deterministic for a seed; nothing is sent anywhere.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "inventory/model/model.h"
#include "inventory/model/observation.h"

namespace ciiscope::bench {

class ServiceGenerator {
 public:
  explicit ServiceGenerator(uint64_t seed) : rng_(seed) {}
  // The observations of service number `index` (port_state first).
  std::vector<inventory::Observation> Next(uint64_t index);

 private:
  std::mt19937_64 rng_;
};

// The observations as stored evidence (kind and data), for BuildFacts.
std::vector<inventory::Evidence> AsEvidence(const std::vector<inventory::Observation>& observations);

}  // namespace ciiscope::bench
