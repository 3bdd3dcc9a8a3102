#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <unordered_map>
#include <vector>

#include "passive_packets.h"
#include "scanner/passive/flat_index.h"
#include "scanner/passive/flow_table.h"
#include "scanner/passive/packet_decoder.h"

namespace ciiscope::scanner::passive {
namespace {

using testing::AsBytes;
using testing::Ether;
using testing::Ipv4;
using testing::Ipv6;
using testing::Tcp;
using testing::Udp;

DecodedPacket Decode(int link, const std::string& frame) {
  DecodedPacket p;
  DecodePacket(link, AsBytes(frame), p);
  return p;
}

TEST(PacketDecoderTest, EthernetIpv4Tcp) {
  const auto p = Decode(kLinkEthernet, Ether(Ipv4("10.0.0.1", "10.0.0.2", 6,
                                                  Tcp(40000, 443, 7, 9, 0x12, "hi"))));
  ASSERT_EQ(p.status, DecodeStatus::kOk);
  EXPECT_TRUE(p.has_mac);
  EXPECT_EQ(p.src_mac[5], 0x01);
  EXPECT_EQ(p.src.ToString(), "10.0.0.1");
  EXPECT_EQ(p.dst.ToString(), "10.0.0.2");
  EXPECT_TRUE(p.l4_ok);
  EXPECT_EQ(p.src_port, 40000);
  EXPECT_EQ(p.dst_port, 443);
  EXPECT_EQ(p.seq, 7u);
  EXPECT_EQ(p.tcp_flags, 0x12);
  EXPECT_EQ(p.payload.size(), 2u);
}

TEST(PacketDecoderTest, VlanAndQinQ) {
  const std::string ip = Ipv4("10.0.0.1", "10.0.0.2", 17, Udp(53, 5353, "x"));
  auto one = Decode(kLinkEthernet, Ether(ip, false, {10}));
  EXPECT_EQ(one.status, DecodeStatus::kOk);
  EXPECT_EQ(one.vlan_tags, 1);
  auto two = Decode(kLinkEthernet, Ether(ip, false, {10, 20}, 1, true));
  EXPECT_EQ(two.status, DecodeStatus::kOk);
  EXPECT_EQ(two.vlan_tags, 2);
  EXPECT_EQ(two.dst_port, 5353);
}

TEST(PacketDecoderTest, Ipv6WithExtensionHeaders) {
  // hop-by-hop (8 bytes) → destination options (8 bytes) → UDP
  std::string ext;
  ext += '\x3c';  // next: destination options
  ext += '\0';
  ext += std::string(6, '\0');
  ext += '\x11';  // next: UDP
  ext += '\0';
  ext += std::string(6, '\0');
  const auto p = Decode(kLinkEthernet,
                        Ether(Ipv6("2001:db8::1", "2001:db8::2", 0, ext + Udp(53, 1000, "abc")),
                              true));
  ASSERT_EQ(p.status, DecodeStatus::kOk);
  EXPECT_EQ(p.protocol, 17);
  EXPECT_EQ(p.src.ToString(), "2001:db8::1");
  EXPECT_EQ(p.payload.size(), 3u);
}

TEST(PacketDecoderTest, Ipv6ExtensionHeaderPastCaptureIsTruncated) {
  std::string ext("\x11\x05", 2);  // claims 48 bytes
  ext += std::string(6, '\0');
  const std::string ip = Ipv6("::1", "::2", 0, ext);
  EXPECT_EQ(Decode(kLinkRaw, ip).status, DecodeStatus::kTruncated);
}

TEST(PacketDecoderTest, FragmentsAreCountedNotDecoded) {
  const auto v4 = Decode(kLinkRaw, Ipv4("10.0.0.1", "10.0.0.2", 6, std::string(40, 'x'), 0x2000));
  EXPECT_EQ(v4.status, DecodeStatus::kOk);
  EXPECT_TRUE(v4.fragment);
  EXPECT_FALSE(v4.l4_ok);
  std::string frag("\x06\x00\x00\x09\x00\x00\x00\x01", 8);  // offset 1, M=1
  const auto v6 = Decode(kLinkRaw, Ipv6("::1", "::2", 44, frag + std::string(8, 'x')));
  EXPECT_TRUE(v6.fragment);
}

TEST(PacketDecoderTest, LinkTypes) {
  const std::string ip = Ipv4("192.0.2.1", "192.0.2.2", 6, Tcp(1, 2, 0, 0, 0x02));
  // Linux SLL: 16-byte header, protocol at 14.
  std::string sll("\x00\x00\x00\x01\x00\x06\x02\x00\x00\x00\x00\x09\x00\x00\x08\x00", 16);
  auto p = Decode(kLinkSll, sll + ip);
  EXPECT_EQ(p.status, DecodeStatus::kOk);
  EXPECT_TRUE(p.has_mac);
  EXPECT_EQ(p.src_mac[5], 0x09);
  // SLL2: protocol at 0, hatype at 8, halen at 11, address at 12.
  std::string sll2("\x08\x00\x00\x00\x00\x00\x00\x02\x00\x01\x00\x06\x02\x00\x00\x00\x00\x0a\x00\x00",
                   20);
  p = Decode(kLinkSll2, sll2 + ip);
  EXPECT_EQ(p.status, DecodeStatus::kOk);
  EXPECT_EQ(p.src_mac[5], 0x0a);
  // BSD null: host-order family 2; loop: network order.
  EXPECT_EQ(Decode(kLinkNull, std::string("\x02\x00\x00\x00", 4) + ip).status, DecodeStatus::kOk);
  EXPECT_EQ(Decode(kLinkLoop, std::string("\x00\x00\x00\x02", 4) + ip).status, DecodeStatus::kOk);
  EXPECT_EQ(Decode(kLinkNull, std::string("\x1e\x00\x00\x00", 4) +
                                  Ipv6("::1", "::2", 6, Tcp(1, 2, 0, 0, 2)))
                .status,
            DecodeStatus::kOk);
  EXPECT_EQ(Decode(kLinkRaw, ip).status, DecodeStatus::kOk);
  EXPECT_EQ(Decode(kLinkRawFile, ip).status, DecodeStatus::kOk);
  EXPECT_EQ(Decode(kLinkIpv4, ip).status, DecodeStatus::kOk);
  EXPECT_EQ(Decode(kLinkIpv6, ip).status, DecodeStatus::kMalformed);
  EXPECT_EQ(Decode(999, ip).status, DecodeStatus::kUnsupported);
}

TEST(PacketDecoderTest, NonIpIsAnObservation) {
  std::string arp("\xff\xff\xff\xff\xff\xff\x02\x00\x00\x00\x00\x01\x08\x06", 14);
  arp += std::string(28, '\0');
  EXPECT_EQ(Decode(kLinkEthernet, arp).status, DecodeStatus::kNotIp);
}

TEST(PacketDecoderTest, EveryPrefixOfAFrameIsSafe) {
  const std::string frames[] = {
      Ether(Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(1, 2, 3, 4, 0x18, "payload")), false, {5, 6}, 1,
            true),
      Ether(Ipv6("::1", "::2", 17, Udp(1, 2, "x")), true),
      Ether(Ipv4("10.0.0.1", "10.0.0.2", 1, std::string("\x08\x00\x00\x00\x00\x01\x00\x01", 8))),
  };
  for (const auto& f : frames) {
    for (size_t n = 0; n <= f.size(); ++n) {
      // A copy of exactly n bytes, so ASan sees any read past the end.
      std::vector<std::byte> cut(n);
      if (n > 0) std::memcpy(cut.data(), f.data(), n);
      DecodedPacket p;
      DecodePacket(kLinkEthernet, cut, p);
      if (n < f.size()) {
        EXPECT_TRUE(p.status != DecodeStatus::kOk || !p.l4_ok || p.l4_truncated ||
                    p.payload.size() < 7)
            << n;
      }
    }
  }
}

TEST(PacketDecoderTest, BadIpHeaders) {
  std::string ip = Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(1, 2, 0, 0, 2));
  std::string bad_ihl = ip;
  bad_ihl[0] = '\x44';
  EXPECT_EQ(Decode(kLinkRaw, bad_ihl).status, DecodeStatus::kMalformed);
  std::string short_total = ip;
  short_total[2] = 0;
  short_total[3] = 10;
  EXPECT_EQ(Decode(kLinkRaw, short_total).status, DecodeStatus::kMalformed);
  std::string bad_tcp_off = ip;
  bad_tcp_off[20 + 12] = '\x20';
  EXPECT_EQ(Decode(kLinkRaw, bad_tcp_off).status, DecodeStatus::kMalformed);
  EXPECT_EQ(Decode(kLinkRaw, std::string("\x75", 1)).status, DecodeStatus::kMalformed);
}

TEST(FlowTableTest, InOrderReassemblyWithCap) {
  Stream s;
  s.next_seq = 100;
  s.seq_known = true;
  const std::string a = "hello ", b = "world";
  EXPECT_EQ(AppendSegment(s, 100, AsBytes(a), 8), "hello ");
  EXPECT_EQ(AppendSegment(s, 100, AsBytes(a), 8), "");   // retransmission
  EXPECT_EQ(AppendSegment(s, 103, AsBytes(std::string("lo world")), 8), "wo");  // overlap, cap
  EXPECT_EQ(s.buf, "hello wo");
  Stream gap;
  gap.next_seq = 0xFFFFFFF0u;  // wraps
  gap.seq_known = true;
  EXPECT_EQ(AppendSegment(gap, 0xFFFFFFF0u, AsBytes(std::string(32, 'x')), 100).size(), 32u);
  EXPECT_EQ(gap.next_seq, 0x10u);
  EXPECT_EQ(AppendSegment(gap, 0x20u, AsBytes(b), 100), "");
  EXPECT_TRUE(gap.done);
}

TEST(FlowTableTest, LruEvictionUnderMemoryCap) {
  int finished = 0, evicted = 0;
  FlowTable table(20 * (sizeof(Flow) + 64), [&](Flow&, bool ev) {
    ++finished;
    evicted += ev ? 1 : 0;
  });
  for (uint16_t port = 1; port <= 100; ++port) {
    FlowKey k;
    k.a.version = k.b.version = 4;
    k.port_a = port;
    k.port_b = 80;
    k.protocol = 6;
    bool created = false;
    table.Touch(k, &created);
    EXPECT_TRUE(created);
  }
  EXPECT_LE(table.size(), 20u);
  EXPECT_EQ(table.evicted(), 100u - table.size());
  EXPECT_EQ(evicted, static_cast<int>(table.evicted()));
  table.FinishAll();
  EXPECT_EQ(finished, 100);
  EXPECT_EQ(table.size(), 0u);
}

// The least recently touched flow goes first; a touched one survives; a
// closed flow's slot is reused for a fresh flow (no stale state).
TEST(FlowTableTest, EvictsLeastRecentlyUsedAndReusesSlots) {
  std::vector<uint16_t> gone;
  FlowTable table(3 * FlowFootprint(Flow{}), [&](Flow& f, bool) { gone.push_back(f.key.port_a); });
  auto key = [](uint16_t port) {
    FlowKey k;
    k.a.version = k.b.version = 4;
    k.port_a = port;
    k.port_b = 80;
    k.protocol = 6;
    return k;
  };
  bool created = false;
  for (uint16_t p : {1, 2, 3}) table.Touch(key(p), &created);
  table.Touch(key(1), &created);  // 2 is now the oldest
  EXPECT_FALSE(created);
  table.Touch(key(4), &created);
  EXPECT_EQ(gone, (std::vector<uint16_t>{2}));
  Flow& f3 = table.Touch(key(3), &created);
  f3.dir[0].buf = "half a request";
  f3.syn_ack_seen = true;
  table.Close(f3);
  EXPECT_EQ(gone, (std::vector<uint16_t>{2, 3}));
  Flow& f5 = table.Touch(key(5), &created);
  EXPECT_TRUE(created);
  EXPECT_TRUE(f5.dir[0].buf.empty());
  EXPECT_FALSE(f5.syn_ack_seen);
  table.FinishAll();  // oldest first: 1 (touched before 4), 4, 5
  EXPECT_EQ(gone, (std::vector<uint16_t>{2, 3, 1, 4, 5}));
  EXPECT_EQ(table.size(), 0u);
}

// FlatIndex against std::unordered_map under random inserts and erases
// (backward-shift deletion must keep every probe run reachable).
TEST(FlatIndexTest, MatchesUnorderedMap) {
  struct Weak {  // few distinct hashes: long probe runs and wrap-around
    size_t operator()(uint32_t k) const noexcept { return k % 7; }
  };
  FlatIndex<uint32_t, Weak> index(16);
  std::unordered_map<uint32_t, uint32_t> want;
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    const uint32_t k = rng() % 300;
    if (rng() % 3 == 0) {
      EXPECT_EQ(index.Erase(k), want.erase(k) == 1);
    } else {
      auto [v, inserted] = index.Insert(k, k * 2);
      EXPECT_EQ(inserted, want.emplace(k, k * 2).second);
      EXPECT_EQ(*v, k * 2);
    }
    ASSERT_EQ(index.size(), want.size());
  }
  for (uint32_t k = 0; k < 300; ++k) {
    const uint32_t* v = index.Find(k);
    ASSERT_EQ(v != nullptr, want.contains(k)) << k;
    if (v) {
      EXPECT_EQ(*v, want[k]);
    }
  }
}

}  // namespace
}  // namespace ciiscope::scanner::passive
