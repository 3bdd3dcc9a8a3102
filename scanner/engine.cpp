#include "scanner/engine.h"

#include <utility>

#include "scanner/connect_engine.h"
#include "scanner/rate_gate.h"
#include "scanner/syn_engine.h"

namespace ciiscope::scanner {

void EngineRegistry::Register(std::string name, Factory factory) {
  for (auto& entry : entries_) {
    if (entry.first == name) {
      entry.second = std::move(factory);
      return;
    }
  }
  entries_.emplace_back(std::move(name), std::move(factory));
}

std::unique_ptr<ScanEngine> EngineRegistry::Create(std::string_view name) const {
  for (const auto& entry : entries_) {
    if (entry.first == name) return entry.second();
  }
  return nullptr;
}

std::vector<std::string> EngineRegistry::Names() const {
  std::vector<std::string> names;
  names.reserve(entries_.size());
  for (const auto& entry : entries_) names.push_back(entry.first);
  return names;
}

bool EngineRegistry::Contains(std::string_view name) const {
  for (const auto& entry : entries_) {
    if (entry.first == name) return true;
  }
  return false;
}

Status ValidateScanOptions(const ScanOptions& options) {
  if (options.ports.size() == 0) {
    return Error(ErrorCode::kInvalidArgument, "no ports to scan (expected a port list such as 1-1024)");
  }
  if (options.connect_timeout.count() <= 0 || options.service_timeout.count() <= 0) {
    return Error(ErrorCode::kInvalidArgument, "timeouts must be positive");
  }
  if (options.shard.count == 0 || options.shard.index >= options.shard.count) {
    return Error(ErrorCode::kInvalidArgument, "bad shard (expected I/N with 1 <= I <= N)");
  }
  if (options.rate < 0 || options.retries < 0 || options.retries > 10) {
    return Error(ErrorCode::kInvalidArgument, "--rate must be >= 0 and --retries 0..10");
  }
  std::vector<int32_t> none;
  return ValidateUnitRates(none, options.unit_rates, 0);
}

void RegisterBuiltinEngines(EngineRegistry& registry) {
  registry.Register("connect", [] { return MakeConnectEngine(); });
  registry.Register("syn", [] { return MakeSynEngine(); });
}

}  // namespace ciiscope::scanner
