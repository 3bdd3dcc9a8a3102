#include "reports/coverage.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/text.h"

namespace ciiscope::reports {
namespace {

// Splits on spaces (the scans table keeps specs space-separated).
std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t end = text.find(' ', i);
    if (end == std::string_view::npos) end = text.size();
    if (end > i) out.emplace_back(text.substr(i, end - i));
    i = end + 1;
  }
  return out;
}

core::IpAddress LastOf(const core::Cidr& c) {
  const core::IpAddress& net = c.network();
  if (net.is_v4()) {
    uint32_t host = c.prefix() >= 32 ? 0 : (0xFFFFFFFFu >> c.prefix());
    return core::IpAddress::FromV4(net.v4() | host);
  }
  std::array<uint8_t, 16> b = net.bytes();
  for (int bit = c.prefix(); bit < 128; ++bit) b[bit / 8] |= static_cast<uint8_t>(0x80 >> (bit % 8));
  return core::IpAddress::FromV6(b);
}

bool LooksLikeHostname(std::string_view s) {
  if (s.empty() || s.size() > 253 || s.find('.') == std::string_view::npos) return s == "localhost";
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.';
  });
}

}  // namespace

ScanCoverage ScanCoverage::Of(const inventory::Scan& scan,
                              const std::optional<inventory::ScanCheckpoint>& checkpoint) {
  ScanCoverage c;
  nlohmann::json options = nlohmann::json::parse(scan.options_json, nullptr, false);
  auto strings = [&](const char* key) {
    std::vector<std::string> out;
    if (!options.is_object() || !options.contains(key) || !options[key].is_array()) return out;
    for (const auto& v : options[key]) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
    return out;
  };
  c.specs_ = strings("targets");
  if (c.specs_.empty()) c.specs_ = Words(scan.targets);
  c.excludes_ = strings("excludes");
  c.known_ = !c.specs_.empty();
  auto parse = [&c](const std::string& text, std::vector<Spec>& into) {
    Spec s;
    s.text = text;
    if (text.find('-') != std::string::npos && text.find('/') == std::string::npos &&
        text.find(':') == std::string::npos) {
      if (auto r = core::IpRange::Parse(text)) s.blocks.push_back({r->first(), r->last()});
    }
    if (s.blocks.empty()) {
      if (auto cidr = core::Cidr::Parse(text)) s.blocks.push_back({cidr->network(), LastOf(*cidr)});
    }
    if (s.blocks.empty()) {
      if (!LooksLikeHostname(text)) {
        c.known_ = false;  // import:…, interface:…, @file, garbage
        return;
      }
      s.hostname = core::ToLower(text);
    }
    into.push_back(std::move(s));
  };
  for (const auto& t : c.specs_) parse(t, c.targets_);
  for (const auto& t : c.excludes_) parse(t, c.excluded_);
  if (auto ports = core::PortList::Parse(scan.ports)) {
    c.ports_ = *ports;
  } else {
    c.known_ = false;
  }
  bool all_probes = checkpoint && checkpoint->total > 0 && checkpoint->done >= checkpoint->total;
  if (!c.known_) {
    c.completeness_ = "unknown";
  } else if (!scan.shard.empty()) {
    c.completeness_ = "shard " + scan.shard;
  } else if (scan.status != "done" && !all_probes) {
    c.completeness_ = scan.status;
    if (checkpoint) {
      c.completeness_ +=
          " " + std::to_string(checkpoint->done) + "/" + std::to_string(checkpoint->total);
    }
  } else {
    c.complete_ = true;
    c.completeness_ = "complete";
  }
  return c;
}

bool ScanCoverage::InBlocks(const std::vector<Spec>& specs, const core::IpAddress& a) {
  for (const Spec& s : specs) {
    for (const Block& b : s.blocks) {
      if (b.first.is_v4() == a.is_v4() && b.first <= a && a <= b.last) return true;
    }
  }
  return false;
}

bool ScanCoverage::NamedIn(const std::vector<Spec>& specs, const std::vector<std::string>& names) {
  for (const Spec& s : specs) {
    if (s.hostname.empty()) continue;
    for (const auto& n : names) {
      if (core::ToLower(n) == s.hostname) return true;
    }
  }
  return false;
}

ScanCoverage::Verdict ScanCoverage::Check(std::string_view address,
                                          const std::vector<std::string>& hostnames,
                                          std::string_view transport, uint16_t port) const {
  if (!known_) return Verdict::kUnknown;
  auto ip = core::IpAddress::Parse(address);
  bool excluded = (ip && InBlocks(excluded_, *ip)) || NamedIn(excluded_, hostnames);
  if (excluded) return Verdict::kExcluded;
  bool targeted = (ip && InBlocks(targets_, *ip)) || NamedIn(targets_, hostnames);
  if (!targeted) return Verdict::kOutsideTargets;
  // The engines sweep TCP ports; UDP is never in a scan's port list.
  if (port != 0 && (transport != "tcp" || !ports_.Contains(port))) return Verdict::kPortNotScanned;
  if (!complete_) return Verdict::kIncomplete;
  return Verdict::kCovered;
}

bool ScanCoverage::CoversSpec(const Spec& s) const {
  if (!known_) return false;
  if (!s.hostname.empty()) return NamedIn(targets_, {s.hostname});
  for (const Block& want : s.blocks) {
    bool inside = false;
    for (const Spec& t : targets_) {
      for (const Block& b : t.blocks) {
        if (b.first.is_v4() == want.first.is_v4() && b.first <= want.first &&
            want.last <= b.last) {
          inside = true;
        }
      }
    }
    if (!inside) return false;
  }
  return true;
}

std::vector<std::string> ScanCoverage::SpecsNotIn(const ScanCoverage& other) const {
  std::vector<std::string> out;
  if (!known_) return specs_;
  for (const Spec& s : targets_) {
    if (!other.CoversSpec(s)) out.push_back(s.text);
  }
  return out;
}

core::PortList ScanCoverage::PortsNotIn(const ScanCoverage& other) const {
  std::vector<uint16_t> out;
  for (uint16_t p : ports_.ports()) {
    if (!other.ports_.Contains(p)) out.push_back(p);
  }
  return core::PortList::Of(std::move(out));
}

}  // namespace ciiscope::reports
