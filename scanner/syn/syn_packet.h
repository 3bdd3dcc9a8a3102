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

constexpr size_t kSynPacketSize = 44;  // IPv4 20 + TCP 20 + MSS option 4

// Writes an IPv4 + TCP SYN (window 1024, MSS 1460) into `out`; checksums
// filled in. Addresses and ports in host order.
void BuildSyn(std::span<std::byte, kSynPacketSize> out, uint32_t src, uint32_t dst, uint16_t sport,
              uint16_t dport, uint32_t seq, uint16_t ip_id);

struct TcpReply {
  uint32_t src = 0, dst = 0;  // host order
  uint16_t sport = 0, dport = 0;
  uint32_t ack = 0;
  bool syn = false, ack_flag = false, rst = false;
};

// Parses a captured frame of pcap link type `linktype` (Ethernet, Linux
// cooked v1/v2, raw IP, BSD loopback/null); nullopt for anything that is not
// an intact IPv4 TCP segment. Caps every read at the frame's length.
std::optional<TcpReply> ParseTcpReply(int linktype, std::span<const std::byte> frame);

}  // namespace ciiscope::scanner::syn
