#pragma once
// Test-only EvidenceSink: keeps observations in memory.

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/model/observation.h"

namespace ciiscope::scanner::testing {

class MemorySink : public inventory::EvidenceSink {
 public:
  void Record(inventory::Observation obs) override {
    std::lock_guard lock(mu_);
    observations_.push_back(std::move(obs));
  }
  void Flush() override {
    std::lock_guard lock(mu_);
    ++flushes_;
  }

  std::vector<inventory::Observation> All() const {
    std::lock_guard lock(mu_);
    return observations_;
  }
  std::vector<inventory::Observation> Find(std::string_view kind, uint16_t port) const {
    std::lock_guard lock(mu_);
    std::vector<inventory::Observation> out;
    for (const auto& o : observations_) {
      if (o.kind == kind && o.port == port) out.push_back(o);
    }
    return out;
  }
  int flushes() const {
    std::lock_guard lock(mu_);
    return flushes_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<inventory::Observation> observations_;
  int flushes_ = 0;
};

}  // namespace ciiscope::scanner::testing
