#include "scanner/scope_policy.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace ciiscope::scanner {
namespace {

struct Reserved {
  const char* cidr;
  const char* what;
};

// 255.255.255.255 (limited broadcast) lies inside 240.0.0.0/4.
constexpr std::array<Reserved, 8> kReserved = {{
    {"0.0.0.0/8", "\"this\" network"},
    {"224.0.0.0/4", "multicast"},
    {"240.0.0.0/4", "reserved, incl. broadcast 255.255.255.255"},
    {"169.254.0.0/16", "link-local, incl. cloud metadata 169.254.169.254"},
    {"ff00::/8", "IPv6 multicast"},
    {"fe80::/10", "IPv6 link-local"},
    {"::/128", "IPv6 unspecified"},
    {"fd00:ec2::254/128", "cloud metadata"},
}};

const std::vector<std::pair<core::Cidr, std::string>>& ReservedTable() {
  static const auto* table = [] {
    auto* t = new std::vector<std::pair<core::Cidr, std::string>>();
    for (const auto& r : kReserved) {
      t->emplace_back(*core::Cidr::Parse(r.cidr), std::string(r.cidr) + " " + r.what);
    }
    return t;
  }();
  return *table;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

bool ValidHostname(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_';
  });
}

std::string Describe(const Target& t) {
  if (t.hostname.empty()) return t.address.ToString();
  return t.hostname + " (" + t.address.ToString() + ")";
}

}  // namespace

std::string ReservedBlock(const core::IpAddress& address) {
  core::IpAddress addr = address;
  const auto& b = address.bytes();
  if (address.is_v6() && std::all_of(b.begin(), b.begin() + 10, [](uint8_t x) { return x == 0; }) &&
      b[10] == 0xff && b[11] == 0xff) {
    addr = core::IpAddress::FromV4((uint32_t{b[12]} << 24) | (uint32_t{b[13]} << 16) |
                                   (uint32_t{b[14]} << 8) | b[15]);
  }
  for (const auto& [cidr, what] : ReservedTable()) {
    if (cidr.Contains(addr)) return what;
  }
  return "";
}

Status RefuseReserved(const std::vector<Target>& targets) {
  std::string listed;
  size_t count = 0;
  constexpr size_t kMaxListed = 5;
  for (const auto& t : targets) {
    std::string block = ReservedBlock(t.address);
    if (block.empty()) continue;
    if (++count <= kMaxListed) {
      listed += (listed.empty() ? "" : ", ") + Describe(t) + " [" + block + "]";
    }
  }
  if (count == 0) return Ok();
  if (count > kMaxListed) listed += " and " + std::to_string(count - kMaxListed) + " more";
  return Error(ErrorCode::kInvalidArgument,
               "refusing " + std::to_string(count) +
                   " reserved address(es) (pass --allow-reserved to scan them anyway): " + listed);
}

Result<AuthScope> ParseAuthScope(const std::vector<std::string>& entries) {
  AuthScope scope;
  for (const auto& raw : entries) {
    std::string entry = Lower(raw);
    if (entry.empty()) continue;
    if (auto cidr = core::Cidr::Parse(entry)) {
      scope.cidrs.push_back(*cidr);
      continue;
    }
    std::string name = entry;
    if (name.starts_with("*.")) name = name.substr(1);
    bool looks_numeric = std::all_of(name.begin(), name.end(), [](unsigned char c) {
      return std::isdigit(c) || c == '.' || c == '/' || c == ':';
    });
    if (looks_numeric || !ValidHostname(name.starts_with(".") ? name.substr(1) : name)) {
      return Error(ErrorCode::kInvalidArgument,
                   "bad authorization scope entry '" + raw +
                       "' (expected a CIDR such as 10.1.0.0/16, an address or a host name)");
    }
    scope.hostnames.push_back(name);
  }
  if (scope.cidrs.empty() && scope.hostnames.empty()) {
    return Error(ErrorCode::kInvalidArgument, "empty authorization scope");
  }
  return scope;
}

bool Covers(const AuthScope& scope, const Target& target) {
  for (const auto& cidr : scope.cidrs) {
    if (cidr.Contains(target.address)) return true;
  }
  if (target.hostname.empty()) return false;
  std::string name = Lower(target.hostname);
  for (const auto& h : scope.hostnames) {
    if (h.starts_with(".") ? name.ends_with(h) : name == h) return true;
  }
  return false;
}

std::vector<size_t> UncoveredTargets(const std::vector<Target>& targets,
                                     const std::vector<AuthScope>& scopes) {
  std::vector<size_t> out;
  for (size_t i = 0; i < targets.size(); ++i) {
    bool covered = std::any_of(scopes.begin(), scopes.end(),
                               [&](const AuthScope& s) { return Covers(s, targets[i]); });
    if (!covered) out.push_back(i);
  }
  return out;
}

std::string ListTargets(const std::vector<Target>& targets, const std::vector<size_t>& indices,
                        size_t max_listed) {
  std::string out;
  for (size_t k = 0; k < indices.size() && k < max_listed; ++k) {
    out += (k == 0 ? "" : ", ") + Describe(targets[indices[k]]);
  }
  if (indices.size() > max_listed) {
    out += " and " + std::to_string(indices.size() - max_listed) + " more";
  }
  return out;
}

}  // namespace ciiscope::scanner
