// The AF_PACKET sender's table reading: /proc/net/route and /proc/net/arp
// text as the kernel writes it, and hostile rows.
#include "scanner/syn/afpacket.h"

#include <gtest/gtest.h>

namespace ciiscope::scanner::syn {
namespace {

// 10.250.0.0/29 on-link on cs-bench-vb, 10.250.1.0/24 via 10.250.0.1,
// default via 192.168.1.1 on eth0 (metric 100), a down route, junk.
constexpr const char* kRoutes =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
    "eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
    "cs-bench-vb\t0000FA0A\t00000000\t0001\t0\t0\t0\tF8FFFFFF\t0\t0\t0\n"
    "cs-bench-vb\t0001FA0A\t0100FA0A\t0003\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
    "down0\t0002FA0A\t00000000\t0000\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
    "junk\tZZZZ\n"
    "eth1\t0001FA0A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";

TEST(AfPacketTest, RoutesByLongestPrefixThenMetric) {
  auto routes = ParseRouteTable(kRoutes);
  ASSERT_EQ(routes.size(), 4u);  // the down route and the junk row are skipped
  auto hop = LookupRoute(routes, 0x0afa0105);  // 10.250.1.5 → via 10.250.0.1
  ASSERT_TRUE(hop);
  EXPECT_EQ(hop->device, "cs-bench-vb");  // first of two equal /24s with metric 0
  EXPECT_EQ(hop->addr, 0x0afa0001u);
  hop = LookupRoute(routes, 0x0afa0003);  // on-link: the target itself
  ASSERT_TRUE(hop);
  EXPECT_EQ(hop->addr, 0x0afa0003u);
  hop = LookupRoute(routes, 0x08080808);  // default route
  ASSERT_TRUE(hop);
  EXPECT_EQ(hop->device, "eth0");
  EXPECT_EQ(hop->addr, 0xc0a80101u);
  EXPECT_FALSE(LookupRoute({}, 0x08080808));
}

constexpr const char* kArp =
    "IP address       HW type     Flags       HW address            Mask     Device\n"
    "10.250.0.1       0x1         0x2         5e:1a:0b:cc:dd:01     *        cs-bench-vb\n"
    "10.250.0.4       0x1         0x0         00:00:00:00:00:00     *        cs-bench-vb\n"
    "10.250.0.5       0x1         0x2         zz:1a:0b:cc:dd:01     *        cs-bench-vb\n"
    "10.250.0.1       0x1         0x2         aa:bb:cc:dd:ee:ff     *        eth9\n";

TEST(AfPacketTest, ReadsCompleteNeighbourEntriesOnly) {
  auto mac = ParseArpTable(kArp, 0x0afa0001, "cs-bench-vb");
  ASSERT_TRUE(mac);
  EXPECT_EQ(*mac, (Mac{0x5e, 0x1a, 0x0b, 0xcc, 0xdd, 0x01}));
  EXPECT_EQ(*ParseArpTable(kArp, 0x0afa0001, "eth9"), (Mac{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}));
  EXPECT_FALSE(ParseArpTable(kArp, 0x0afa0004, "cs-bench-vb"));  // incomplete
  EXPECT_FALSE(ParseArpTable(kArp, 0x0afa0005, "cs-bench-vb"));  // bad MAC
  EXPECT_FALSE(ParseArpTable(kArp, 0x0afa0009, "cs-bench-vb"));  // absent
  EXPECT_FALSE(ParseArpTable("", 0x0afa0001, "cs-bench-vb"));
}

TEST(AfPacketTest, WritesEthernetHeader) {
  uint8_t frame[14];
  WriteEthernetHeader(frame, Mac{1, 2, 3, 4, 5, 6}, Mac{7, 8, 9, 10, 11, 12});
  EXPECT_EQ(frame[0], 1);
  EXPECT_EQ(frame[5], 6);
  EXPECT_EQ(frame[6], 7);
  EXPECT_EQ(frame[11], 12);
  EXPECT_EQ(frame[12], 0x08);
  EXPECT_EQ(frame[13], 0x00);
}

}  // namespace
}  // namespace ciiscope::scanner::syn
