// SYN engine bytes: SipHash-2-4 against the reference vectors, SYN packets
// with valid checksums, reply parsing across link types and hostile frames.
#include "scanner/syn/syn_packet.h"

#include <gtest/gtest.h>
#include <pcap/dlt.h>

#include <vector>

namespace ciiscope::scanner::syn {
namespace {

uint16_t Checksum(const std::byte* p, size_t n, uint32_t sum = 0) {
  for (size_t i = 0; i + 1 < n; i += 2) {
    sum += (static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << 8) | static_cast<uint8_t>(p[i + 1]);
  }
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

TEST(SynPacketTest, SipHashMatchesReferenceVectors) {
  // Aumasson & Bernstein reference: key 00..0f, messages 00, 00 01, … (first entries of vectors.h).
  SipKey key = {0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
  std::vector<std::byte> msg;
  EXPECT_EQ(SipHash24(key, msg), 0x726fdb47dd0e0e31ULL);
  msg.push_back(std::byte{0});
  EXPECT_EQ(SipHash24(key, msg), 0x74f839c593dc67fdULL);
  for (int i = 1; i < 15; ++i) msg.push_back(std::byte(i));
  EXPECT_EQ(SipHash24(key, msg), 0xa129ca6149be45e5ULL);  // 15 bytes
}

TEST(SynPacketTest, CookieDependsOnKeyAndEveryField) {
  SipKey a = {1, 2}, b = {1, 3};
  uint32_t base = Cookie(a, 0x7f000001, 0x0a000002, 40000, 80);
  EXPECT_EQ(base, Cookie(a, 0x7f000001, 0x0a000002, 40000, 80));
  EXPECT_NE(base, Cookie(b, 0x7f000001, 0x0a000002, 40000, 80));
  EXPECT_NE(base, Cookie(a, 0x7f000002, 0x0a000002, 40000, 80));
  EXPECT_NE(base, Cookie(a, 0x7f000001, 0x0a000003, 40000, 80));
  EXPECT_NE(base, Cookie(a, 0x7f000001, 0x0a000002, 40001, 80));
  EXPECT_NE(base, Cookie(a, 0x7f000001, 0x0a000002, 40000, 81));
}

TEST(SynPacketTest, BuildsSynWithValidChecksums) {
  std::array<std::byte, kSynPacketSize> pkt{};
  BuildSyn(pkt, 0x0a000001, 0x0a000002, 41000, 443, 0xdeadbeef, 7);
  EXPECT_EQ(Checksum(pkt.data(), 20), 0) << "IPv4 header checksum";
  uint32_t pseudo = 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 6 + 24;
  EXPECT_EQ(Checksum(pkt.data() + 20, 24, pseudo), 0) << "TCP checksum";
  EXPECT_EQ(static_cast<uint8_t>(pkt[20 + 13]), 0x02);  // SYN only
  // Parsed back as raw IP it reads the same fields.
  auto r = ParseTcpReply(DLT_RAW, pkt);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->src, 0x0a000001u);
  EXPECT_EQ(r->dst, 0x0a000002u);
  EXPECT_EQ(r->sport, 41000);
  EXPECT_EQ(r->dport, 443);
  EXPECT_TRUE(r->syn);
  EXPECT_FALSE(r->ack_flag);
}

std::vector<std::byte> EthernetReply(uint8_t flags, uint32_t ack) {
  std::array<std::byte, kSynPacketSize> ip{};
  BuildSyn(ip, 0x0a000002, 0x0a000001, 443, 41000, 1234, 9);
  ip[20 + 13] = std::byte(flags);
  for (int i = 0; i < 4; ++i) ip[20 + 8 + i] = std::byte((ack >> (24 - 8 * i)) & 0xff);
  std::vector<std::byte> frame(14 + ip.size());
  frame[12] = std::byte{0x08};
  for (size_t i = 0; i < ip.size(); ++i) frame[14 + i] = ip[i];
  return frame;
}

TEST(SynPacketTest, ParsesSynAckAndResetFromEthernetAndCookedFrames) {
  auto frame = EthernetReply(0x12, 0xdeadbef0);
  auto r = ParseTcpReply(DLT_EN10MB, frame);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->syn && r->ack_flag && !r->rst);
  EXPECT_EQ(r->ack, 0xdeadbef0u);
  EXPECT_EQ(r->sport, 443);
  EXPECT_EQ(r->dport, 41000);

  auto rst = EthernetReply(0x14, 1);
  r = ParseTcpReply(DLT_EN10MB, rst);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->rst && r->ack_flag && !r->syn);

  // Linux cooked v1: 16-byte header, protocol at 14.
  std::vector<std::byte> sll(16 + frame.size() - 14);
  sll[14] = std::byte{0x08};
  for (size_t i = 14; i < frame.size(); ++i) sll[2 + i] = frame[i];
  r = ParseTcpReply(DLT_LINUX_SLL, sll);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->ack, 0xdeadbef0u);
}

TEST(SynPacketTest, RejectsTruncatedForeignAndUnknownFrames) {
  auto frame = EthernetReply(0x12, 5);
  for (size_t n = 0; n < frame.size(); ++n) {
    EXPECT_FALSE(ParseTcpReply(DLT_EN10MB, std::span(frame.data(), n))) << "length " << n;
  }
  auto arp = frame;
  arp[12] = std::byte{0x08};
  arp[13] = std::byte{0x06};
  EXPECT_FALSE(ParseTcpReply(DLT_EN10MB, arp));
  auto udp = frame;
  udp[14 + 9] = std::byte{17};
  EXPECT_FALSE(ParseTcpReply(DLT_EN10MB, udp));
  auto fragment = frame;
  fragment[14 + 7] = std::byte{0x10};  // offset 16
  EXPECT_FALSE(ParseTcpReply(DLT_EN10MB, fragment));
  auto bad_ihl = frame;
  bad_ihl[14] = std::byte{0x4f};  // 60-byte header longer than the packet
  EXPECT_FALSE(ParseTcpReply(DLT_EN10MB, bad_ihl));
  EXPECT_FALSE(ParseTcpReply(12345, frame));
}

Ip6 V6(std::initializer_list<uint8_t> head, uint8_t last) {
  Ip6 a{};
  size_t i = 0;
  for (uint8_t b : head) a[i++] = b;
  a[15] = last;
  return a;
}

TEST(SynPacketTest, Cookie6DependsOnKeyAndEveryField) {
  SipKey a = {1, 2}, b = {1, 3};
  Ip6 src = V6({0xfd, 0x00}, 1), dst = V6({0xfd, 0x00}, 2);
  uint32_t base = Cookie6(a, src, dst, 40000, 80);
  EXPECT_EQ(base, Cookie6(a, src, dst, 40000, 80));
  EXPECT_NE(base, Cookie6(b, src, dst, 40000, 80));
  EXPECT_NE(base, Cookie6(a, dst, src, 40000, 80));
  EXPECT_NE(base, Cookie6(a, src, V6({0xfd, 0x01}, 2), 40000, 80));  // a high byte
  EXPECT_NE(base, Cookie6(a, src, dst, 40001, 80));
  EXPECT_NE(base, Cookie6(a, src, dst, 40000, 81));
}

// Checksum over the IPv6 pseudo-header (RFC 8200 8.1) + TCP segment.
uint16_t Tcp6Checksum(const std::byte* pkt) {
  uint32_t sum = 0;
  for (size_t i = 8; i < 40; i += 2) {
    sum += (static_cast<uint32_t>(static_cast<uint8_t>(pkt[i])) << 8) | static_cast<uint8_t>(pkt[i + 1]);
  }
  return Checksum(pkt + 40, 24, sum + 24 + 6);
}

TEST(SynPacketTest, BuildsIpv6SynWithValidChecksum) {
  Ip6 src = V6({0xfd, 0x00, 0xca, 0xfe}, 1), dst = V6({0xfd, 0x00, 0xca, 0xfe, 0xff, 0xff}, 0x92);
  std::array<std::byte, kSyn6PacketSize> pkt{};
  BuildSyn6(pkt, src, dst, 41000, 443, 0xdeadbeef);
  EXPECT_EQ(static_cast<uint8_t>(pkt[0]) >> 4, 6);
  EXPECT_EQ(static_cast<uint8_t>(pkt[4]) * 256 + static_cast<uint8_t>(pkt[5]), 24);  // payload length
  EXPECT_EQ(static_cast<uint8_t>(pkt[6]), 6);                                        // next header TCP
  EXPECT_EQ(Tcp6Checksum(pkt.data()), 0) << "TCP checksum with the IPv6 pseudo-header";
  EXPECT_EQ(static_cast<uint8_t>(pkt[40 + 13]), 0x02);
  // A flipped address bit breaks the checksum: the pseudo-header is covered.
  auto changed = pkt;
  changed[39] ^= std::byte{1};
  EXPECT_NE(Tcp6Checksum(changed.data()), 0);

  auto r = ParseTcpReply(DLT_RAW, pkt);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->v6);
  EXPECT_EQ(r->src6, src);
  EXPECT_EQ(r->dst6, dst);
  EXPECT_EQ(r->sport, 41000);
  EXPECT_EQ(r->dport, 443);
  EXPECT_TRUE(r->syn);
  EXPECT_EQ(r->ack, 0u);
}

TEST(SynPacketTest, ParsesIpv6RepliesAndRejectsBadOnes) {
  Ip6 me = V6({0xfd}, 1), peer = V6({0xfd}, 2);
  std::array<std::byte, kSyn6PacketSize> ip{};
  BuildSyn6(ip, peer, me, 443, 41000, 77);
  ip[40 + 13] = std::byte{0x12};  // SYN-ACK
  ip[40 + 8] = std::byte{0xab};   // ack = 0xab000000
  std::vector<std::byte> frame(14 + ip.size());
  frame[12] = std::byte{0x86};
  frame[13] = std::byte{0xdd};
  std::copy(ip.begin(), ip.end(), frame.begin() + 14);
  auto r = ParseTcpReply(DLT_EN10MB, frame);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->v6 && r->syn && r->ack_flag && !r->rst);
  EXPECT_EQ(r->ack, 0xab000000u);
  EXPECT_EQ(r->src6, peer);
  for (size_t n = 0; n < frame.size(); ++n) {
    EXPECT_FALSE(ParseTcpReply(DLT_EN10MB, std::span(frame.data(), n))) << "length " << n;
  }
  auto ext = frame;
  ext[14 + 6] = std::byte{0};  // hop-by-hop options first: not a plain TCP reply
  EXPECT_FALSE(ParseTcpReply(DLT_EN10MB, ext));
  auto long_payload = frame;
  long_payload[14 + 4] = std::byte{1};  // payload length 280 > what was captured
  EXPECT_FALSE(ParseTcpReply(DLT_EN10MB, long_payload));
  auto v4_in_v6 = frame;
  v4_in_v6[14] = std::byte{0x45};  // ethertype says IPv6, version says 4
  EXPECT_FALSE(ParseTcpReply(DLT_EN10MB, v4_in_v6));
  // BSD null / loop: 4-byte family header, version decides.
  std::vector<std::byte> null(4 + ip.size());
  std::copy(ip.begin(), ip.end(), null.begin() + 4);
  r = ParseTcpReply(DLT_NULL, null);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->v6);
}

}  // namespace
}  // namespace ciiscope::scanner::syn
