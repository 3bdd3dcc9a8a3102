#include "scanner/passive/packet_decoder.h"

#include <arpa/inet.h>

#include <cstring>

namespace ciiscope::scanner::passive {
namespace {

inline uint8_t U8(std::span<const std::byte> d, size_t i) { return std::to_integer<uint8_t>(d[i]); }
inline uint16_t U16(std::span<const std::byte> d, size_t i) {
  return static_cast<uint16_t>((U8(d, i) << 8) | U8(d, i + 1));
}
inline uint32_t U32(std::span<const std::byte> d, size_t i) {
  return (uint32_t{U16(d, i)} << 16) | U16(d, i + 2);
}

constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherIpv6 = 0x86DD;
constexpr int kMaxVlanTags = 8;
constexpr int kMaxExtensionHeaders = 16;

bool IsVlanType(uint16_t t) { return t == 0x8100 || t == 0x88A8 || t == 0x9100 || t == 0x9200; }

void SetStatus(DecodedPacket& out, DecodeStatus s) { out.status = s; }

// Walks VLAN tags starting at `offset` (which holds the ethertype) and
// dispatches to IP.
void DecodeEthertype(std::span<const std::byte> d, size_t offset, DecodedPacket& out) {
  if (offset + 2 > d.size()) return SetStatus(out, DecodeStatus::kTruncated);
  uint16_t type = U16(d, offset);
  offset += 2;
  while (IsVlanType(type)) {
    if (out.vlan_tags >= kMaxVlanTags) return SetStatus(out, DecodeStatus::kMalformed);
    if (offset + 4 > d.size()) return SetStatus(out, DecodeStatus::kTruncated);
    ++out.vlan_tags;
    type = U16(d, offset + 2);
    offset += 4;
  }
  if (type != kEtherIpv4 && type != kEtherIpv6) return SetStatus(out, DecodeStatus::kNotIp);
  std::span<const std::byte> ip = d.subspan(offset);
  if (ip.empty()) return SetStatus(out, DecodeStatus::kTruncated);
  const int want = type == kEtherIpv4 ? 4 : 6;
  if ((U8(ip, 0) >> 4) != want) return SetStatus(out, DecodeStatus::kMalformed);
  DecodeIp(ip, out);
}

void DecodeFamily(std::span<const std::byte> d, uint32_t family, DecodedPacket& out) {
  // AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24 (NetBSD/OpenBSD),
  // 28 (FreeBSD), 30 (macOS).
  if (family == 2 || family == 10 || family == 24 || family == 28 || family == 30) {
    std::span<const std::byte> ip = d.subspan(4);
    if (ip.empty()) return SetStatus(out, DecodeStatus::kTruncated);
    const int want = family == 2 ? 4 : 6;
    if ((U8(ip, 0) >> 4) != want) return SetStatus(out, DecodeStatus::kMalformed);
    return DecodeIp(ip, out);
  }
  SetStatus(out, DecodeStatus::kNotIp);
}

void DecodeTransport(std::span<const std::byte> d, DecodedPacket& out) {
  switch (out.protocol) {
    case IPPROTO_TCP: {
      if (d.size() < 20) return SetStatus(out, DecodeStatus::kTruncated);
      const size_t hlen = static_cast<size_t>(U8(d, 12) >> 4) * 4;
      if (hlen < 20) return SetStatus(out, DecodeStatus::kMalformed);
      if (hlen > d.size()) return SetStatus(out, DecodeStatus::kTruncated);
      out.src_port = U16(d, 0);
      out.dst_port = U16(d, 2);
      out.seq = U32(d, 4);
      out.ack = U32(d, 8);
      out.tcp_flags = U8(d, 13);
      out.window = U16(d, 14);
      out.payload = d.subspan(hlen);
      out.l4_ok = true;
      return;
    }
    case IPPROTO_UDP: {
      if (d.size() < 8) return SetStatus(out, DecodeStatus::kTruncated);
      out.src_port = U16(d, 0);
      out.dst_port = U16(d, 2);
      const size_t ulen = U16(d, 4);
      if (ulen != 0 && ulen < 8) return SetStatus(out, DecodeStatus::kMalformed);
      size_t end = d.size();
      if (ulen >= 8 && ulen <= d.size()) end = ulen;  // 0 = jumbogram / GSO: use what is there
      else if (ulen > d.size()) out.l4_truncated = true;
      out.payload = d.subspan(8, end - 8);
      out.l4_ok = true;
      return;
    }
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6: {
      if (d.size() < 4) return SetStatus(out, DecodeStatus::kTruncated);
      out.icmp_type = U8(d, 0);
      out.icmp_code = U8(d, 1);
      out.payload = d.subspan(4);
      out.l4_ok = true;
      return;
    }
    default:
      out.payload = d;
      return;
  }
}

void DecodeIpv4(std::span<const std::byte> d, DecodedPacket& out) {
  if (d.size() < 20) return SetStatus(out, DecodeStatus::kTruncated);
  const size_t ihl = static_cast<size_t>(U8(d, 0) & 0x0F) * 4;
  if (ihl < 20) return SetStatus(out, DecodeStatus::kMalformed);
  if (ihl > d.size()) return SetStatus(out, DecodeStatus::kTruncated);
  size_t total = U16(d, 2);
  if (total == 0) total = d.size();  // TSO/GSO captures leave it zero
  if (total < ihl) return SetStatus(out, DecodeStatus::kMalformed);
  out.ip_bytes = static_cast<uint32_t>(total);
  out.ttl = U8(d, 8);
  out.protocol = U8(d, 9);
  out.src.version = out.dst.version = 4;
  std::memcpy(out.src.bytes.data(), d.data() + 12, 4);
  std::memcpy(out.dst.bytes.data(), d.data() + 16, 4);
  out.status = DecodeStatus::kOk;
  const uint16_t frag = U16(d, 6);
  if ((frag & 0x2000) != 0 || (frag & 0x1FFF) != 0) {
    out.fragment = true;
    return;
  }
  size_t end = total;
  if (end > d.size()) {
    end = d.size();
    out.l4_truncated = true;
  }
  DecodeTransport(d.subspan(ihl, end - ihl), out);
  if (out.status != DecodeStatus::kOk) {
    // The IP layer is good; a bad transport header is reported as such.
    out.l4_ok = false;
  }
}

void DecodeIpv6(std::span<const std::byte> d, DecodedPacket& out) {
  if (d.size() < 40) return SetStatus(out, DecodeStatus::kTruncated);
  const size_t payload_len = U16(d, 4);
  uint8_t next = U8(d, 6);
  out.ttl = U8(d, 7);
  out.src.version = out.dst.version = 6;
  std::memcpy(out.src.bytes.data(), d.data() + 8, 16);
  std::memcpy(out.dst.bytes.data(), d.data() + 24, 16);
  out.ip_bytes = static_cast<uint32_t>(40 + payload_len);
  out.status = DecodeStatus::kOk;
  size_t end = 40 + payload_len;
  if (payload_len == 0) end = d.size();  // jumbogram or GSO: use what was captured
  if (end > d.size()) {
    end = d.size();
    out.l4_truncated = true;
  }
  std::span<const std::byte> rest = d.subspan(40, end - 40);
  for (int i = 0; i < kMaxExtensionHeaders; ++i) {
    switch (next) {
      case 0:    // hop-by-hop
      case 43:   // routing
      case 60:   // destination options
      case 135:  // mobility
      case 139:  // HIP
      case 140:  // shim6
      {
        if (rest.size() < 8) return SetStatus(out, DecodeStatus::kTruncated);
        const size_t len = (size_t{U8(rest, 1)} + 1) * 8;
        if (len > rest.size()) return SetStatus(out, DecodeStatus::kTruncated);
        next = U8(rest, 0);
        rest = rest.subspan(len);
        continue;
      }
      case 51: {  // AH: length in 4-byte units minus 2
        if (rest.size() < 8) return SetStatus(out, DecodeStatus::kTruncated);
        const size_t len = (size_t{U8(rest, 1)} + 2) * 4;
        if (len > rest.size()) return SetStatus(out, DecodeStatus::kTruncated);
        next = U8(rest, 0);
        rest = rest.subspan(len);
        continue;
      }
      case 44: {  // fragment
        if (rest.size() < 8) return SetStatus(out, DecodeStatus::kTruncated);
        const uint16_t off = U16(rest, 2);
        out.protocol = U8(rest, 0);
        if ((off & 0xFFF8) != 0 || (off & 1) != 0) {
          out.fragment = true;
          return;
        }
        // An atomic fragment (offset 0, no more fragments) carries a whole datagram.
        next = U8(rest, 0);
        rest = rest.subspan(8);
        continue;
      }
      case 59:  // no next header
        out.protocol = 59;
        return;
      default:
        out.protocol = next;
        DecodeTransport(rest, out);
        if (out.status != DecodeStatus::kOk) out.l4_ok = false;
        return;
    }
  }
  SetStatus(out, DecodeStatus::kMalformed);  // too many extension headers
}

}  // namespace

bool IsSupportedLinkType(int t) {
  return t == kLinkNull || t == kLinkEthernet || t == kLinkRaw || t == kLinkRawBsd ||
         t == kLinkRawFile || t == kLinkLoop || t == kLinkSll || t == kLinkIpv4 ||
         t == kLinkIpv6 || t == kLinkSll2;
}

std::string IpAddr::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (version == 4) {
    inet_ntop(AF_INET, bytes.data(), buf, sizeof(buf));
  } else if (version == 6) {
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof(buf));
  }
  return buf;
}

bool IpAddr::IsHostAddress() const {
  if (version == 4) {
    const uint32_t v = (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) |
                       (uint32_t{bytes[2]} << 8) | bytes[3];
    if (v == 0 || v == 0xFFFFFFFFu) return false;
    if ((bytes[0] & 0xF0) == 0xE0) return false;  // multicast
    return true;
  }
  if (version == 6) {
    if (bytes[0] == 0xFF) return false;  // multicast
    for (uint8_t b : bytes) {
      if (b != 0) return true;
    }
    return false;  // ::
  }
  return false;
}

size_t IpAddrHash::operator()(const IpAddr& a) const noexcept {
  uint64_t lo, hi;
  std::memcpy(&lo, a.bytes.data(), 8);
  std::memcpy(&hi, a.bytes.data() + 8, 8);
  uint64_t h = (lo ^ (hi * 0x9E3779B97F4A7C15ull) ^ a.version) * 0xBF58476D1CE4E5B9ull;
  return static_cast<size_t>(h ^ (h >> 31));
}

void DecodeIp(std::span<const std::byte> data, DecodedPacket& out) {
  if (data.empty()) return SetStatus(out, DecodeStatus::kTruncated);
  switch (U8(data, 0) >> 4) {
    case 4: return DecodeIpv4(data, out);
    case 6: return DecodeIpv6(data, out);
    default: return SetStatus(out, DecodeStatus::kMalformed);
  }
}

void DecodePacket(int link_type, std::span<const std::byte> d, DecodedPacket& out) {
  out = DecodedPacket{};
  switch (link_type) {
    case kLinkEthernet:
      if (d.size() < 14) return SetStatus(out, DecodeStatus::kTruncated);
      out.has_mac = true;
      std::memcpy(out.dst_mac.data(), d.data(), 6);
      std::memcpy(out.src_mac.data(), d.data() + 6, 6);
      return DecodeEthertype(d, 12, out);
    case kLinkSll: {
      if (d.size() < 16) return SetStatus(out, DecodeStatus::kTruncated);
      if (U16(d, 2) == 1 && U16(d, 4) == 6) {  // ARPHRD_ETHER, 6-byte address
        out.has_mac = true;
        std::memcpy(out.src_mac.data(), d.data() + 6, 6);
      }
      return DecodeEthertype(d, 14, out);
    }
    case kLinkSll2: {
      if (d.size() < 20) return SetStatus(out, DecodeStatus::kTruncated);
      if (U16(d, 8) == 1 && U8(d, 11) == 6) {
        out.has_mac = true;
        std::memcpy(out.src_mac.data(), d.data() + 12, 6);
      }
      // The protocol field sits at offset 0; walk it like an ethertype.
      if (IsVlanType(U16(d, 0))) return SetStatus(out, DecodeStatus::kNotIp);
      {
        const uint16_t type = U16(d, 0);
        if (type != kEtherIpv4 && type != kEtherIpv6) return SetStatus(out, DecodeStatus::kNotIp);
        std::span<const std::byte> ip = d.subspan(20);
        if (ip.empty()) return SetStatus(out, DecodeStatus::kTruncated);
        if ((U8(ip, 0) >> 4) != (type == kEtherIpv4 ? 4 : 6)) {
          return SetStatus(out, DecodeStatus::kMalformed);
        }
        return DecodeIp(ip, out);
      }
    }
    case kLinkRaw:
    case kLinkRawBsd:
    case kLinkRawFile:
      return DecodeIp(d, out);
    case kLinkIpv4:
      if (!d.empty() && (U8(d, 0) >> 4) != 4) return SetStatus(out, DecodeStatus::kMalformed);
      return DecodeIp(d, out);
    case kLinkIpv6:
      if (!d.empty() && (U8(d, 0) >> 4) != 6) return SetStatus(out, DecodeStatus::kMalformed);
      return DecodeIp(d, out);
    case kLinkNull: {
      if (d.size() < 4) return SetStatus(out, DecodeStatus::kTruncated);
      uint32_t fam;
      std::memcpy(&fam, d.data(), 4);  // host order of the capturing machine: try both
      if (fam > 0xFFFF) fam = __builtin_bswap32(fam);
      return DecodeFamily(d, fam, out);
    }
    case kLinkLoop: {
      if (d.size() < 4) return SetStatus(out, DecodeStatus::kTruncated);
      return DecodeFamily(d, U32(d, 0), out);
    }
    default:
      return SetStatus(out, DecodeStatus::kUnsupported);
  }
}

}  // namespace ciiscope::scanner::passive
