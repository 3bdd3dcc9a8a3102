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

}  // namespace
}  // namespace ciiscope::core
