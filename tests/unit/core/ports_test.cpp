#include "core/ports.h"

#include <gtest/gtest.h>

namespace ciiscope::core {
namespace {

TEST(PortListTest, ParsesListsRangesAndNamedSets) {
  auto p = PortList::Parse("80,22, 1000-1002,22");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->ports(), (std::vector<uint16_t>{22, 80, 1000, 1001, 1002}));
  EXPECT_EQ(p->ToString(), "22,80,1000-1002");
  auto top = PortList::Parse("top100");
  ASSERT_TRUE(top.has_value());
  EXPECT_EQ(top->size(), 100u);
  auto def = PortList::Parse("default");
  ASSERT_TRUE(def.has_value());
  EXPECT_TRUE(def->Contains(6379));
  EXPECT_TRUE(def->Contains(23));
  EXPECT_EQ(PortList::Parse("-")->size(), 65535u);
  EXPECT_EQ(PortList::Parse("65530-")->size(), 6u);
}

TEST(PortListTest, RejectsBadSpecsWithClearMessage) {
  for (const char* bad : {"", "0", "65536", "abc", "10-5", "1,,x", "top1000x", ","}) {
    auto r = PortList::Parse(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_NE(r.error().message().find("port spec"), std::string::npos) << r.error().message();
  }
}

TEST(ProtocolPortsTest, SplitsTcpAndUdpLikeNmap) {
  auto both = ParseProtocolPorts("22,80,U:53,161,T:443");
  ASSERT_TRUE(both.has_value());
  EXPECT_EQ(both->tcp.ToString(), "22,80,443");
  EXPECT_EQ(both->udp.ToString(), "53,161");
  EXPECT_EQ(both->ToString(), "22,80,443,U:53,161");
  auto back = ParseProtocolPorts(both->ToString());  // what a resumed scan re-reads
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->tcp.ports(), both->tcp.ports());
  EXPECT_EQ(back->udp.ports(), both->udp.ports());

  auto udp_only = ParseProtocolPorts("U:123");
  ASSERT_TRUE(udp_only.has_value());
  EXPECT_EQ(udp_only->tcp.size(), 0u);
  EXPECT_EQ(udp_only->ToString(), "U:123");

  auto su = ParseProtocolPorts("default", /*udp_default=*/true);  // --udp
  ASSERT_TRUE(su.has_value());
  EXPECT_EQ(su->tcp.size(), 0u);
  EXPECT_EQ(su->udp.ports(), TopUdpPorts());
  EXPECT_EQ(ParseProtocolPorts("22")->tcp.ToString(), "22");
  EXPECT_EQ(ParseProtocolPorts("u:1-3")->udp.size(), 3u);
}

TEST(ProtocolPortsTest, RejectsBadUdpSpecs) {
  for (const char* bad : {"U:", "U:0", "U:53,x", "T:,U:", "U:70000"}) {
    auto r = ParseProtocolPorts(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_NE(r.error().message().find("port spec"), std::string::npos) << r.error().message();
  }
}

}  // namespace
}  // namespace ciiscope::core
