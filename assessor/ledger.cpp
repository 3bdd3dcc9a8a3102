#include "assessor/ledger.h"

#include <algorithm>
#include <limits>
#include <map>

namespace ciiscope::assessor {
namespace {

constexpr size_t kNone = std::numeric_limits<size_t>::max();

std::string NormalizeName(std::string_view name) {
  std::string out;
  for (char c : name) out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  while (!out.empty() && out.back() == '.') out.pop_back();
  if (out.rfind("*.", 0) == 0) out.erase(0, 2);
  return out;
}

bool IsDnsName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  if (core::IpAddress::Parse(name)) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
  });
}

void AddName(std::string_view raw, std::vector<std::string>& names) {
  std::string name = NormalizeName(raw);
  if (!IsDnsName(name)) return;
  if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
}

// "http://host:port/path" → "host" (IPv6 literals in brackets are skipped).
std::string UrlHost(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  std::string_view rest = url.substr(scheme + 3);
  if (!rest.empty() && rest[0] == '[') return "";
  size_t end = rest.find_first_of(":/?#");
  return std::string(rest.substr(0, end));
}

}  // namespace

int LevelDepth(std::string_view level) {
  static const std::map<std::string_view, int> kDepth = {
      {"ministry", 0}, {"province", 1}, {"city", 2},
      {"county", 3},   {"school", 4},   {"department", 5}};
  auto it = kDepth.find(level);
  return it == kDepth.end() ? -1 : it->second;
}

UnitIndex::UnitIndex(std::vector<inventory::Unit> units) : units_(std::move(units)) {
  std::map<std::string, size_t> by_code;
  for (size_t i = 0; i < units_.size(); ++i) by_code[units_[i].code] = i;
  parent_.assign(units_.size(), kNone);
  for (size_t i = 0; i < units_.size(); ++i) {
    auto it = by_code.find(units_[i].parent_code);
    if (!units_[i].parent_code.empty() && it != by_code.end()) parent_[i] = it->second;
    for (const auto& text : units_[i].cidrs) {
      auto cidr = core::Cidr::Parse(text);
      if (cidr) blocks_.push_back({*cidr, i});
    }
  }
}

const inventory::Unit* UnitIndex::Owner(const core::IpAddress& address) const {
  const Block* best = nullptr;
  for (const auto& block : blocks_) {
    if (block.cidr.network().is_v4() != address.is_v4() || !block.cidr.Contains(address)) continue;
    if (best == nullptr) {
      best = &block;
      continue;
    }
    int prefix = block.cidr.prefix(), best_prefix = best->cidr.prefix();
    int depth = LevelDepth(units_[block.unit].level);
    int best_depth = LevelDepth(units_[best->unit].level);
    if (prefix > best_prefix || (prefix == best_prefix && depth > best_depth) ||
        (prefix == best_prefix && depth == best_depth &&
         units_[block.unit].id < units_[best->unit].id)) {
      best = &block;
    }
  }
  return best ? &units_[best->unit] : nullptr;
}

std::optional<UnitIndex::DomainMatch> UnitIndex::DomainOwner(std::string_view raw) const {
  std::string name = NormalizeName(raw);
  std::optional<DomainMatch> best;
  for (const auto& unit : units_) {
    for (const auto& d : unit.domains) {
      std::string domain = NormalizeName(d);
      if (domain.empty()) continue;
      bool match = name == domain || (name.size() > domain.size() &&
                                      name.ends_with(domain) &&
                                      name[name.size() - domain.size() - 1] == '.');
      if (!match) continue;
      if (!best || domain.size() > best->domain.size() ||
          (domain.size() == best->domain.size() &&
           LevelDepth(unit.level) > LevelDepth(best->unit->level))) {
        best = DomainMatch{&unit, domain};
      }
    }
  }
  return best;
}

bool UnitIndex::IsAncestorOrSelf(size_t ancestor, size_t unit) const {
  // Bounded by the number of units, so a cycle in bad data cannot loop forever.
  for (size_t steps = 0; unit != kNone && steps <= units_.size(); ++steps) {
    if (unit == ancestor) return true;
    unit = parent_[unit];
  }
  return false;
}

bool UnitIndex::InRangesOf(const inventory::Unit& unit, const core::IpAddress& address) const {
  size_t self = static_cast<size_t>(&unit - units_.data());
  if (self >= units_.size()) return false;
  for (const auto& block : blocks_) {
    if (block.cidr.network().is_v4() != address.is_v4()) continue;
    if (IsAncestorOrSelf(self, block.unit) && block.cidr.Contains(address)) return true;
  }
  return false;
}

void CollectNames(const nlohmann::json& facts, std::vector<std::string>& names) {
  auto strings = [&](const nlohmann::json* list) {
    if (list == nullptr || !list->is_array()) return;
    for (const auto& v : *list) {
      if (v.is_string()) AddName(v.get<std::string>(), names);
    }
  };
  if (facts.contains("asset") && facts["asset"].contains("hostnames")) {
    strings(&facts["asset"]["hostnames"]);
  }
  if (facts.contains("tls") && facts["tls"].contains("cert")) {
    const auto& cert = facts["tls"]["cert"];
    if (cert.contains("sans")) strings(&cert["sans"]);
    std::string subject = cert.value("subject", std::string());
    size_t cn = subject.find("CN=");
    if (cn != std::string::npos) {
      std::string value = subject.substr(cn + 3);
      AddName(value.substr(0, value.find_first_of(",/")), names);
    }
  }
  if (facts.contains("http") && facts["http"].contains("url") && facts["http"]["url"].is_string()) {
    AddName(UrlHost(facts["http"]["url"].get<std::string>()), names);
  }
}

}  // namespace ciiscope::assessor
