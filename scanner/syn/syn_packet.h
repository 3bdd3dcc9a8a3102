#pragma once
// Bytes of the SYN engine: building IPv4/TCP SYN probes and reading the
// answers (SYN-ACK or RST) out of captured frames, plus the keyed cookie that
// makes validation stateless: the probe's sequence number is
// SipHash-2-4(key, source, target, ports) truncated to 32 bits, and only a
// reply acknowledging cookie + 1 counts. Pure functions (STYLE.md habit 5).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace ciiscope::scanner::syn {

using SipKey = std::array<uint64_t, 2>;

uint64_t SipHash24(const SipKey& key, std::span<const std::byte> data);

// The sequence number of the probe from src:sport to dst:dport (IPv4, host order).
uint32_t Cookie(const SipKey& key, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport);

using Ip6 = std::array<uint8_t, 16>;

// The same over IPv6 addresses (network byte order, as in the packet).
uint32_t Cookie6(const SipKey& key, const Ip6& src, const Ip6& dst, uint16_t sport, uint16_t dport);

constexpr size_t kSynPacketSize = 44;   // IPv4 20 + TCP 20 + MSS option 4
constexpr size_t kSyn6PacketSize = 64;  // IPv6 40 + TCP 20 + MSS option 4

// Writes an IPv4 + TCP SYN (window 1024, MSS 1460) into `out`; checksums
// filled in. Addresses and ports in host order.
void BuildSyn(std::span<std::byte, kSynPacketSize> out, uint32_t src, uint32_t dst, uint16_t sport,
              uint16_t dport, uint32_t seq, uint16_t ip_id);

// Writes an IPv6 + TCP SYN (hop limit 64, window 1024, MSS 1440) into
// `out`; the TCP checksum covers the IPv6 pseudo-header (RFC 8200 8.1).
void BuildSyn6(std::span<std::byte, kSyn6PacketSize> out, const Ip6& src, const Ip6& dst, uint16_t sport,
               uint16_t dport, uint32_t seq);

struct TcpReply {
  bool v6 = false;
  uint32_t src = 0, dst = 0;  // IPv4, host order
  Ip6 src6{}, dst6{};         // IPv6
  uint16_t sport = 0, dport = 0;
  uint32_t ack = 0;
  bool syn = false, ack_flag = false, rst = false;
};

// Parses a captured frame of pcap link type `linktype` (Ethernet, Linux
// cooked v1/v2, raw IP, BSD loopback/null); nullopt for anything that is not
// an intact IPv4 TCP segment or an IPv6 packet whose first next header is
// TCP (a reply to a SYN carries no extension headers). Caps every read at the
// frame's length.
std::optional<TcpReply> ParseTcpReply(int linktype, std::span<const std::byte> frame);

}  // namespace ciiscope::scanner::syn
