#include "scanner/targets.h"

#include <netdb.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <unordered_map>
#include <utility>

#include "core/text.h"

namespace ciiscope::scanner {
namespace {

constexpr int kMaxFileDepth = 8;

// An inclusive block of addresses of one family, and the name it came from.
struct Block {
  core::IpAddress first;
  core::IpAddress last;
  std::string hostname;
};

Error BadSpec(std::string_view spec, std::string_view what) {
  return Error(ErrorCode::kInvalidArgument, "'" + std::string(spec) + "': " + std::string(what));
}

// Orders IPv4 before IPv6, then by address bytes.
bool AddrLess(const core::IpAddress& a, const core::IpAddress& b) {
  if (a.is_v4() != b.is_v4()) return a.is_v4();
  return a.bytes() < b.bytes();
}

std::string AddrKey(const core::IpAddress& a) {
  std::string key(reinterpret_cast<const char*>(a.bytes().data()), a.bytes().size());
  key.push_back(a.is_v4() ? '4' : '6');
  return key;
}

uint64_t SaturatingAdd(uint64_t a, uint64_t b) {
  return a > std::numeric_limits<uint64_t>::max() - b ? std::numeric_limits<uint64_t>::max()
                                                      : a + b;
}

uint64_t BlockSize(const Block& b) { return core::IpRange(b.first, b.last).Size(); }

bool LooksLikeHostname(std::string_view s) {
  if (s.empty() || s.size() > 253 || s.front() == '.' || s.front() == '-') return false;
  bool has_alpha = false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalpha(u)) has_alpha = true;
    if (!std::isalnum(u) && c != '.' && c != '-' && c != '_') return false;
  }
  return has_alpha && s.find("..") == std::string_view::npos;
}

Status ResolveHostname(std::string_view name, std::vector<Block>& out) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  std::string host(name);
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &list);
  if (rc != 0) {
    return BadSpec(name, std::string("hostname does not resolve (") + gai_strerror(rc) + ")");
  }
  size_t before = out.size();
  for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    auto addr = core::IpAddress::FromSockaddr(ai->ai_addr);
    if (!addr) continue;
    out.push_back(Block{*addr, *addr, host});
  }
  freeaddrinfo(list);
  if (out.size() == before) return BadSpec(name, "hostname has no IPv4 or IPv6 address");
  return Ok();
}

Status ExpandSpec(std::string_view raw, int depth, std::vector<Block>& out);

Status ExpandFile(std::string_view spec, int depth, std::vector<Block>& out) {
  if (depth >= kMaxFileDepth) return BadSpec(spec, "target files nested too deeply");
  std::string path(spec.substr(1));
  if (path.empty()) return BadSpec(spec, "expected a file name after '@'");
  CII_ASSIGN_OR_RETURN(auto specs, ReadTargetFile(path));
  for (const auto& s : specs) {
    auto status = ExpandSpec(s, depth + 1, out);
    if (!status) return std::move(status).error().WithContext(path);
  }
  return Ok();
}

Status ExpandSpec(std::string_view raw, int depth, std::vector<Block>& out) {
  std::string_view spec = core::TrimSpace(raw);
  if (spec.empty()) return Ok();
  if (spec.front() == '@') return ExpandFile(spec, depth, out);
  if (spec.find('/') != std::string_view::npos) {
    CII_ASSIGN_OR_RETURN(auto cidr, core::Cidr::Parse(spec));
    int bits = (cidr.network().is_v4() ? 32 : 128) - cidr.prefix();
    if (bits >= 64) return BadSpec(spec, "block too large to scan (expected at most a /64)");
    out.push_back(Block{cidr.network(), cidr.network().Plus(cidr.Size() - 1), ""});
    return Ok();
  }
  if (auto addr = core::IpAddress::Parse(spec)) {
    out.push_back(Block{*addr, *addr, ""});
    return Ok();
  }
  auto dash = spec.find('-');
  if (dash != std::string_view::npos && core::IpAddress::Parse(spec.substr(0, dash))) {
    CII_ASSIGN_OR_RETURN(auto range, core::IpRange::Parse(spec));
    out.push_back(Block{range.first(), range.last(), ""});
    return Ok();
  }
  if (LooksLikeHostname(spec)) return ResolveHostname(spec, out);
  return BadSpec(spec, "expected an address, CIDR block, range, hostname or @file");
}

// Sorted, merged exclusion ranges with a lookup that returns the range an
// address falls in.
class ExclusionSet {
 public:
  explicit ExclusionSet(std::vector<Block> blocks) {
    std::sort(blocks.begin(), blocks.end(),
              [](const Block& a, const Block& b) { return AddrLess(a.first, b.first); });
    for (auto& b : blocks) {
      if (!ranges_.empty() && ranges_.back().second.is_v4() == b.first.is_v4() &&
          !AddrLess(ranges_.back().second, b.first)) {
        if (AddrLess(ranges_.back().second, b.last)) ranges_.back().second = b.last;
        continue;
      }
      ranges_.emplace_back(b.first, b.last);
    }
  }

  // The excluded range containing addr, or nullptr.
  const std::pair<core::IpAddress, core::IpAddress>* Find(const core::IpAddress& addr) const {
    auto it = std::upper_bound(
        ranges_.begin(), ranges_.end(), addr,
        [](const core::IpAddress& a, const auto& range) { return AddrLess(a, range.first); });
    if (it == ranges_.begin()) return nullptr;
    --it;
    if (it->first.is_v4() != addr.is_v4() || AddrLess(it->second, addr)) return nullptr;
    return &*it;
  }

 private:
  std::vector<std::pair<core::IpAddress, core::IpAddress>> ranges_;
};

}  // namespace

Result<std::vector<std::string>> ReadTargetFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error(ErrorCode::kIo, path + ": cannot read: " + std::strerror(errno));
  }
  std::vector<std::string> specs;
  std::string line;
  while (std::getline(in, line)) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::string word;
    while (words >> word) specs.push_back(word);
  }
  if (in.bad()) return Error(ErrorCode::kIo, path + ": cannot read: read error");
  return specs;
}

Result<std::vector<Target>> ResolveTargets(const std::vector<std::string>& specs,
                                           const std::vector<std::string>& excludes,
                                           size_t max_targets) {
  std::vector<Block> excluded;
  for (const auto& spec : excludes) {
    auto status = ExpandSpec(spec, 0, excluded);
    if (!status) return std::move(status).error().WithContext("exclude");
  }
  std::vector<Block> included;
  for (const auto& spec : specs) CII_RETURN_IF_ERROR(ExpandSpec(spec, 0, included));
  if (included.empty()) {
    return Error(ErrorCode::kInvalidArgument, "no targets given (expected at least one spec)");
  }
  uint64_t listed = 0;
  for (const auto& b : included) listed = SaturatingAdd(listed, BlockSize(b));

  ExclusionSet exclusions(std::move(excluded));
  std::vector<Target> targets;
  std::unordered_map<std::string, size_t> seen;
  for (const auto& block : included) {
    core::IpAddress addr = block.first;
    while (true) {
      if (const auto* range = exclusions.Find(addr)) {
        if (!AddrLess(range->second, block.last)) break;
        addr = range->second.Plus(1);
        continue;
      }
      auto [it, inserted] = seen.emplace(AddrKey(addr), targets.size());
      if (inserted) {
        if (targets.size() >= max_targets) {
          return Error(ErrorCode::kInvalidArgument,
                       "too many targets: the specs list " + std::to_string(listed) +
                           " addresses, more than the limit of " + std::to_string(max_targets) +
                           " remain after exclusions");
        }
        targets.push_back(Target{addr, block.hostname});
      } else if (targets[it->second].hostname.empty()) {
        targets[it->second].hostname = block.hostname;
      }
      if (addr == block.last) break;
      addr = addr.Plus(1);
    }
  }
  return targets;
}

}  // namespace ciiscope::scanner
