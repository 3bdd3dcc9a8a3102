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

}  // namespace
}  // namespace ciiscope::scanner::syn
