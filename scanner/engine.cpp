#include "scanner/engine.h"

#include <utility>

#include "scanner/connect_engine.h"

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

void RegisterBuiltinEngines(EngineRegistry& registry) {
  registry.Register("connect", [] { return MakeConnectEngine(); });
}

}  // namespace ciiscope::scanner
