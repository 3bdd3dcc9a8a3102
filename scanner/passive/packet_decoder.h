#pragma once
// Packet decoding over bytes (STYLE.md habit 5): link layer → IPv4/IPv6 →
// TCP/UDP/ICMP, with every length checked against the captured bytes. No
// I/O, no allocation. A packet that is not IP, or is cut short, or is
// malformed is described by `status`; it is never an error of the caller.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

namespace ciiscope::scanner::passive {

// Link types as libpcap's pcap_datalink() reports them (DLT_*), plus the
// LINKTYPE_* values that files may carry unmapped.
inline constexpr int kLinkNull = 0;         // DLT_NULL: 4-byte host-order family
inline constexpr int kLinkEthernet = 1;     // DLT_EN10MB
inline constexpr int kLinkRaw = 12;         // DLT_RAW (Linux); 14 on some BSDs
inline constexpr int kLinkRawBsd = 14;
inline constexpr int kLinkRawFile = 101;    // LINKTYPE_RAW
inline constexpr int kLinkLoop = 108;       // DLT_LOOP: 4-byte network-order family
inline constexpr int kLinkSll = 113;        // DLT_LINUX_SLL
inline constexpr int kLinkIpv4 = 228;       // LINKTYPE_IPV4
inline constexpr int kLinkIpv6 = 229;       // LINKTYPE_IPV6
inline constexpr int kLinkSll2 = 276;       // DLT_LINUX_SLL2

bool IsSupportedLinkType(int link_type);

enum class DecodeStatus : uint8_t {
  kOk,           // IP decoded (L4 fields valid when l4_ok)
  kNotIp,        // ARP, STP, LLDP, … (an observation, not an error)
  kUnsupported,  // link type we do not decode
  kTruncated,    // the captured bytes end inside a header
  kMalformed,    // a header contradicts itself (bad version, length < header, …)
};

struct IpAddr {
  std::array<uint8_t, 16> bytes{};  // IPv4 in the first 4 bytes, rest zero
  uint8_t version = 0;              // 4 or 6
  bool operator==(const IpAddr& o) const {
    // Two word compares instead of a memcmp call: this is on every lookup.
    uint64_t x[2], y[2];
    std::memcpy(x, bytes.data(), 16);
    std::memcpy(y, o.bytes.data(), 16);
    return version == o.version && x[0] == y[0] && x[1] == y[1];
  }
  std::string ToString() const;
  // Unspecified, multicast or (v4) broadcast: not a host.
  bool IsHostAddress() const;
};

struct IpAddrHash {
  size_t operator()(const IpAddr& a) const noexcept;
};

namespace tcp_flags {
inline constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;
}

struct DecodedPacket {
  DecodeStatus status = DecodeStatus::kUnsupported;
  bool has_mac = false;
  std::array<uint8_t, 6> src_mac{}, dst_mac{};
  uint8_t vlan_tags = 0;
  IpAddr src, dst;
  uint8_t protocol = 0;    // IPPROTO_* of the transport (after IPv6 extension headers)
  uint8_t ttl = 0;         // TTL / hop limit
  bool fragment = false;   // part of a fragmented datagram (not reassembled; no L4)
  bool l4_ok = false;      // ports / flags / icmp fields below are valid
  bool l4_truncated = false;  // the capture ends inside the transport payload
  uint16_t src_port = 0, dst_port = 0;
  uint8_t tcp_flags = 0;
  uint32_t seq = 0, ack = 0;
  uint16_t window = 0;
  uint8_t icmp_type = 0, icmp_code = 0;
  uint32_t ip_bytes = 0;  // IP datagram length from the header (wire bytes)
  std::span<const std::byte> payload;  // transport payload as captured
};

// Decodes one captured frame. `out` is overwritten.
void DecodePacket(int link_type, std::span<const std::byte> frame, DecodedPacket& out);

// Decodes from the IP header (version taken from the first nibble).
void DecodeIp(std::span<const std::byte> data, DecodedPacket& out);

}  // namespace ciiscope::scanner::passive
