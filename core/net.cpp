#include "core/net.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>

namespace ciiscope::core {
namespace {

Error BadAddress(std::string_view text, std::string_view what) {
  return Error(ErrorCode::kInvalidArgument,
               "'" + std::string(text) + "': " + std::string(what));
}

// Adds n to a 128-bit big-endian number in place (wrapping).
void AddToBytes(std::array<uint8_t, 16>& b, uint64_t n) {
  unsigned carry = 0;
  for (int i = 15; i >= 0; --i) {
    unsigned sum = b[i] + static_cast<unsigned>(n & 0xff) + carry;
    b[i] = static_cast<uint8_t>(sum & 0xff);
    carry = sum >> 8;
    n >>= 8;
    if (n == 0 && carry == 0) break;
  }
}

}  // namespace

Result<IpAddress> IpAddress::Parse(std::string_view text) {
  if (text.empty()) return BadAddress(text, "empty address (expected an IPv4 or IPv6 address)");
  if (text.size() > INET6_ADDRSTRLEN + 2) return BadAddress(text, "too long for an IP address");
  std::string s(text);
  if (s.size() > 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  IpAddress out;
  in_addr a4{};
  if (inet_pton(AF_INET, s.c_str(), &a4) == 1) {
    out.v4_ = true;
    std::memcpy(out.bytes_.data() + 12, &a4, 4);
    return out;
  }
  in6_addr a6{};
  if (inet_pton(AF_INET6, s.c_str(), &a6) == 1) {
    out.v4_ = false;
    std::memcpy(out.bytes_.data(), &a6, 16);
    return out;
  }
  return BadAddress(text, "expected an IPv4 or IPv6 address");
}

IpAddress IpAddress::FromV4(uint32_t host_order) {
  IpAddress out;
  out.v4_ = true;
  out.bytes_[12] = static_cast<uint8_t>(host_order >> 24);
  out.bytes_[13] = static_cast<uint8_t>(host_order >> 16);
  out.bytes_[14] = static_cast<uint8_t>(host_order >> 8);
  out.bytes_[15] = static_cast<uint8_t>(host_order);
  return out;
}

IpAddress IpAddress::FromV6(const std::array<uint8_t, 16>& bytes) {
  IpAddress out;
  out.v4_ = false;
  out.bytes_ = bytes;
  return out;
}

Result<IpAddress> IpAddress::FromSockaddr(const sockaddr* sa) {
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    return FromV4(ntohl(in->sin_addr.s_addr));
  }
  if (sa->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    std::array<uint8_t, 16> b{};
    std::memcpy(b.data(), &in6->sin6_addr, 16);
    return FromV6(b);
  }
  return Error(ErrorCode::kUnsupported, "unsupported address family");
}

uint32_t IpAddress::v4() const {
  return (uint32_t{bytes_[12]} << 24) | (uint32_t{bytes_[13]} << 16) |
         (uint32_t{bytes_[14]} << 8) | uint32_t{bytes_[15]};
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (v4_) {
    inet_ntop(AF_INET, bytes_.data() + 12, buf, sizeof(buf));
  } else {
    inet_ntop(AF_INET6, bytes_.data(), buf, sizeof(buf));
  }
  return buf;
}

socklen_t IpAddress::ToSockaddr(uint16_t port, sockaddr_storage* out) const {
  std::memset(out, 0, sizeof(*out));
  if (v4_) {
    auto* in = reinterpret_cast<sockaddr_in*>(out);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    std::memcpy(&in->sin_addr, bytes_.data() + 12, 4);
    return sizeof(sockaddr_in);
  }
  auto* in6 = reinterpret_cast<sockaddr_in6*>(out);
  in6->sin6_family = AF_INET6;
  in6->sin6_port = htons(port);
  std::memcpy(&in6->sin6_addr, bytes_.data(), 16);
  return sizeof(sockaddr_in6);
}

bool IpAddress::IsLoopback() const {
  if (v4_) return bytes_[12] == 127;
  static constexpr std::array<uint8_t, 16> kLoop6 = {0, 0, 0, 0, 0, 0, 0, 0,
                                                     0, 0, 0, 0, 0, 0, 0, 1};
  return bytes_ == kLoop6;
}

IpAddress IpAddress::Plus(uint64_t n) const {
  IpAddress out = *this;
  if (v4_) {
    return FromV4(static_cast<uint32_t>(v4() + n));
  }
  AddToBytes(out.bytes_, n);
  return out;
}

Cidr::Cidr(IpAddress network, int prefix) : network_(network), prefix_(prefix) {
  // Clear host bits so the network address is canonical.
  auto bytes = network.bytes();
  int total = network.is_v4() ? 32 : 128;
  int offset = network.is_v4() ? 96 : 0;
  for (int bit = prefix; bit < total; ++bit) {
    int abs = offset + bit;
    bytes[abs / 8] &= static_cast<uint8_t>(~(0x80u >> (abs % 8)));
  }
  network_ = network.is_v4() ? IpAddress::FromV4((uint32_t{bytes[12]} << 24) |
                                                  (uint32_t{bytes[13]} << 16) |
                                                  (uint32_t{bytes[14]} << 8) | bytes[15])
                             : IpAddress::FromV6(bytes);
}

Result<Cidr> Cidr::Parse(std::string_view text) {
  auto slash = text.find('/');
  auto addr_text = text.substr(0, slash);
  auto addr = IpAddress::Parse(addr_text);
  if (!addr) return BadAddress(text, "expected a CIDR block such as 10.0.0.0/24");
  int max = addr->is_v4() ? 32 : 128;
  int prefix = max;
  if (slash != std::string_view::npos) {
    auto p = text.substr(slash + 1);
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (p.empty() || ec != std::errc() || ptr != p.data() + p.size() || prefix < 0 ||
        prefix > max) {
      return BadAddress(text, "prefix length must be 0.." + std::to_string(max));
    }
  }
  return Cidr(*addr, prefix);
}

bool Cidr::Contains(const IpAddress& addr) const {
  if (addr.is_v4() != network_.is_v4()) return false;
  return Cidr(addr, prefix_).network_ == network_;
}

bool Cidr::Contains(const Cidr& other) const {
  return other.prefix_ >= prefix_ && Contains(other.network_);
}

uint64_t Cidr::Size() const {
  int host_bits = (network_.is_v4() ? 32 : 128) - prefix_;
  if (host_bits >= 64) return std::numeric_limits<uint64_t>::max();
  return uint64_t{1} << host_bits;
}

std::string Cidr::ToString() const {
  return network_.ToString() + "/" + std::to_string(prefix_);
}

Result<IpRange> IpRange::Parse(std::string_view text) {
  auto dash = text.find('-');
  if (dash == std::string_view::npos) return BadAddress(text, "expected a range such as 10.0.0.1-10.0.0.20");
  auto first = IpAddress::Parse(text.substr(0, dash));
  if (!first) return BadAddress(text, "range start is not an IP address");
  auto rest = text.substr(dash + 1);
  IpAddress last;
  if (auto full = IpAddress::Parse(rest)) {
    last = *full;
  } else if (first->is_v4()) {
    // Shorthand: 10.0.0.1-20 replaces the last octet.
    unsigned octet = 0;
    auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), octet);
    if (rest.empty() || ec != std::errc() || ptr != rest.data() + rest.size() || octet > 255) {
      return BadAddress(text, "range end must be an address or a last octet 0..255");
    }
    last = IpAddress::FromV4((first->v4() & 0xffffff00u) | octet);
  } else {
    return BadAddress(text, "range end is not an IPv6 address");
  }
  if (first->is_v4() != last.is_v4()) return BadAddress(text, "range mixes IPv4 and IPv6");
  if (last < *first) return BadAddress(text, "range end is before its start");
  return IpRange(*first, last);
}

bool IpRange::Contains(const IpAddress& addr) const {
  return addr.is_v4() == first_.is_v4() && !(addr < first_) && !(last_ < addr);
}

uint64_t IpRange::Size() const {
  if (first_.is_v4()) return uint64_t{last_.v4()} - first_.v4() + 1;
  const auto& a = first_.bytes();
  const auto& b = last_.bytes();
  for (int i = 0; i < 8; ++i) {
    if (a[i] != b[i]) return std::numeric_limits<uint64_t>::max();
  }
  uint64_t lo_a = 0, lo_b = 0;
  for (int i = 8; i < 16; ++i) {
    lo_a = (lo_a << 8) | a[i];
    lo_b = (lo_b << 8) | b[i];
  }
  uint64_t diff = lo_b - lo_a;
  return diff == std::numeric_limits<uint64_t>::max() ? diff : diff + 1;
}

std::string IpRange::ToString() const { return first_.ToString() + "-" + last_.ToString(); }

}  // namespace ciiscope::core
