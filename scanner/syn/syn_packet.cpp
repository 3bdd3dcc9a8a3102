#include "scanner/syn/syn_packet.h"

#include <pcap/dlt.h>

#include <cstring>

namespace ciiscope::scanner::syn {
namespace {

uint64_t Rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

void SipRound(uint64_t& v0, uint64_t& v1, uint64_t& v2, uint64_t& v3) {
  v0 += v1; v1 = Rotl(v1, 13); v1 ^= v0; v0 = Rotl(v0, 32);
  v2 += v3; v3 = Rotl(v3, 16); v3 ^= v2;
  v0 += v3; v3 = Rotl(v3, 21); v3 ^= v0;
  v2 += v1; v1 = Rotl(v1, 17); v1 ^= v2; v2 = Rotl(v2, 32);
}

uint64_t Load64(const std::byte* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

void Put16(std::byte* p, uint16_t v) {
  p[0] = std::byte(v >> 8);
  p[1] = std::byte(v & 0xff);
}
void Put32(std::byte* p, uint32_t v) {
  Put16(p, static_cast<uint16_t>(v >> 16));
  Put16(p + 2, static_cast<uint16_t>(v));
}
uint16_t Get16(const std::byte* p) {
  return static_cast<uint16_t>((static_cast<uint8_t>(p[0]) << 8) | static_cast<uint8_t>(p[1]));
}
uint32_t Get32(const std::byte* p) { return (uint32_t{Get16(p)} << 16) | Get16(p + 2); }

uint32_t SumWords(const std::byte* p, size_t n, uint32_t sum) {
  for (size_t i = 0; i + 1 < n; i += 2) sum += Get16(p + i);
  if (n & 1) sum += static_cast<uint32_t>(static_cast<uint8_t>(p[n - 1])) << 8;
  return sum;
}
uint16_t Fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

}  // namespace

uint64_t SipHash24(const SipKey& key, std::span<const std::byte> data) {
  uint64_t v0 = 0x736f6d6570736575ULL ^ key[0], v1 = 0x646f72616e646f6dULL ^ key[1];
  uint64_t v2 = 0x6c7967656e657261ULL ^ key[0], v3 = 0x7465646279746573ULL ^ key[1];
  const size_t n = data.size();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t m = Load64(data.data() + i);
    v3 ^= m;
    SipRound(v0, v1, v2, v3);
    SipRound(v0, v1, v2, v3);
    v0 ^= m;
  }
  uint64_t b = static_cast<uint64_t>(n) << 56;
  for (size_t j = 0; i + j < n; ++j) b |= uint64_t{static_cast<uint8_t>(data[i + j])} << (8 * j);
  v3 ^= b;
  SipRound(v0, v1, v2, v3);
  SipRound(v0, v1, v2, v3);
  v0 ^= b;
  v2 ^= 0xff;
  for (int r = 0; r < 4; ++r) SipRound(v0, v1, v2, v3);
  return v0 ^ v1 ^ v2 ^ v3;
}

uint32_t Cookie(const SipKey& key, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport) {
  std::array<std::byte, 12> buf{};
  Put32(buf.data(), src);
  Put32(buf.data() + 4, dst);
  Put16(buf.data() + 8, sport);
  Put16(buf.data() + 10, dport);
  return static_cast<uint32_t>(SipHash24(key, buf));
}

uint32_t Cookie6(const SipKey& key, const Ip6& src, const Ip6& dst, uint16_t sport, uint16_t dport) {
  std::array<std::byte, 36> buf{};
  std::memcpy(buf.data(), src.data(), 16);
  std::memcpy(buf.data() + 16, dst.data(), 16);
  Put16(buf.data() + 32, sport);
  Put16(buf.data() + 34, dport);
  return static_cast<uint32_t>(SipHash24(key, buf));
}

namespace {

// TCP header + MSS option of a SYN at `t` (checksum left zero).
void WriteSynTcp(std::byte* t, uint16_t sport, uint16_t dport, uint32_t seq, uint16_t mss) {
  Put16(t, sport);
  Put16(t + 2, dport);
  Put32(t + 4, seq);
  t[12] = std::byte{0x60};  // data offset 6 words
  t[13] = std::byte{0x02};  // SYN
  Put16(t + 14, 1024);      // window
  t[20] = std::byte{2};     // MSS option
  t[21] = std::byte{4};
  Put16(t + 22, mss);
}

}  // namespace

void BuildSyn6(std::span<std::byte, kSyn6PacketSize> out, const Ip6& src, const Ip6& dst, uint16_t sport,
               uint16_t dport, uint32_t seq) {
  std::byte* p = out.data();
  std::memset(p, 0, kSyn6PacketSize);
  p[0] = std::byte{0x60};  // version 6, traffic class 0, flow label 0
  Put16(p + 4, 24);        // payload length
  p[6] = std::byte{6};     // next header: TCP
  p[7] = std::byte{64};    // hop limit
  std::memcpy(p + 8, src.data(), 16);
  std::memcpy(p + 24, dst.data(), 16);
  std::byte* t = p + 40;
  WriteSynTcp(t, sport, dport, seq, 1440);
  // Pseudo-header: source, destination, upper-layer length (32 bits), next header.
  uint32_t pseudo = SumWords(p + 8, 32, 0) + 24 + 6;
  Put16(t + 16, Fold(SumWords(t, 24, pseudo)));
}

void BuildSyn(std::span<std::byte, kSynPacketSize> out, uint32_t src, uint32_t dst, uint16_t sport,
              uint16_t dport, uint32_t seq, uint16_t ip_id) {
  std::byte* p = out.data();
  std::memset(p, 0, kSynPacketSize);
  p[0] = std::byte{0x45};
  Put16(p + 2, kSynPacketSize);
  Put16(p + 4, ip_id);
  p[8] = std::byte{64};  // TTL
  p[9] = std::byte{6};   // TCP
  Put32(p + 12, src);
  Put32(p + 16, dst);
  Put16(p + 10, Fold(SumWords(p, 20, 0)));
  std::byte* t = p + 20;
  WriteSynTcp(t, sport, dport, seq, 1460);
  uint32_t pseudo = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 6 + 24;
  Put16(t + 16, Fold(SumWords(t, 24, pseudo)));
}

namespace {

// TCP flags and fields at `tcp` (20 bytes available) into `r`.
void ReadTcp(const std::byte* tcp, TcpReply& r) {
  r.sport = Get16(tcp);
  r.dport = Get16(tcp + 2);
  r.ack = Get32(tcp + 8);
  uint8_t flags = static_cast<uint8_t>(tcp[13]);
  r.syn = flags & 0x02;
  r.ack_flag = flags & 0x10;
  r.rst = flags & 0x04;
}

std::optional<TcpReply> ParseTcp6(std::span<const std::byte> ip) {
  if (ip.size() < 40 + 20 || (static_cast<uint8_t>(ip[0]) >> 4) != 6) return std::nullopt;
  if (static_cast<uint8_t>(ip[6]) != 6) return std::nullopt;  // not TCP right after the header
  size_t payload = Get16(ip.data() + 4);
  if (payload < 20 || payload > ip.size() - 40) return std::nullopt;
  TcpReply r;
  r.v6 = true;
  std::memcpy(r.src6.data(), ip.data() + 8, 16);
  std::memcpy(r.dst6.data(), ip.data() + 24, 16);
  ReadTcp(ip.data() + 40, r);
  return r;
}

}  // namespace

std::optional<TcpReply> ParseTcpReply(int linktype, std::span<const std::byte> frame) {
  size_t off = 0;
  uint16_t ethertype = 0x0800;
  switch (linktype) {
    case DLT_EN10MB:
      if (frame.size() < 14) return std::nullopt;
      ethertype = Get16(frame.data() + 12);
      off = 14;
      while ((ethertype == 0x8100 || ethertype == 0x88a8) && frame.size() >= off + 4) {
        ethertype = Get16(frame.data() + off + 2);
        off += 4;
      }
      break;
    case DLT_LINUX_SLL:
      if (frame.size() < 16) return std::nullopt;
      ethertype = Get16(frame.data() + 14);
      off = 16;
      break;
    case DLT_LINUX_SLL2:
      if (frame.size() < 20) return std::nullopt;
      ethertype = Get16(frame.data());
      off = 20;
      break;
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
      if (frame.empty()) return std::nullopt;
      ethertype = (static_cast<uint8_t>(frame[0]) >> 4) == 6 ? 0x86dd : 0x0800;
      break;
    case DLT_NULL:
    case DLT_LOOP:
      if (frame.size() < 5) return std::nullopt;
      off = 4;
      ethertype = (static_cast<uint8_t>(frame[4]) >> 4) == 6 ? 0x86dd : 0x0800;
      break;
    default:
      return std::nullopt;
  }
  if (ethertype == 0x86dd) return ParseTcp6(frame.subspan(off));
  if (ethertype != 0x0800 || frame.size() < off + 20) return std::nullopt;
  const std::byte* ip = frame.data() + off;
  if ((static_cast<uint8_t>(ip[0]) >> 4) != 4) return std::nullopt;
  size_t ihl = (static_cast<uint8_t>(ip[0]) & 0x0f) * 4u;
  if (ihl < 20 || static_cast<uint8_t>(ip[9]) != 6) return std::nullopt;
  if ((Get16(ip + 6) & 0x1fff) != 0) return std::nullopt;  // a later fragment
  size_t total = Get16(ip + 2);
  size_t avail = frame.size() - off;
  if (total < ihl + 20 || total > avail) return std::nullopt;
  const std::byte* tcp = ip + ihl;
  TcpReply r;
  r.src = Get32(ip + 12);
  r.dst = Get32(ip + 16);
  ReadTcp(tcp, r);
  return r;
}

}  // namespace ciiscope::scanner::syn
