#include "core/net.h"

#include <gtest/gtest.h>

namespace ciiscope::core {
namespace {

TEST(IpAddressTest, ParsesV4AndV6) {
  auto v4 = IpAddress::Parse("192.0.2.7");
  ASSERT_TRUE(v4.has_value());
  EXPECT_TRUE(v4->is_v4());
  EXPECT_EQ(v4->v4(), 0xC0000207u);
  EXPECT_EQ(v4->ToString(), "192.0.2.7");
  auto v6 = IpAddress::Parse("[2001:db8::1]");
  ASSERT_TRUE(v6.has_value());
  EXPECT_TRUE(v6->is_v6());
  EXPECT_EQ(v6->ToString(), "2001:db8::1");
}

TEST(IpAddressTest, RejectsGarbageWithMessage) {
  for (const char* bad : {"", "256.1.1.1", "1.2.3", "host name", "1.2.3.4.5", "::g"}) {
    auto r = IpAddress::Parse(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_NE(r.error().message().find("expected"), std::string::npos) << r.error().message();
  }
}

TEST(IpAddressTest, PlusWrapsWithinFamily) {
  auto a = *IpAddress::Parse("10.0.0.255");
  EXPECT_EQ(a.Plus(1).ToString(), "10.0.1.0");
  auto b = *IpAddress::Parse("2001:db8::ffff");
  EXPECT_EQ(b.Plus(1).ToString(), "2001:db8::1:0");
}

TEST(CidrTest, ParsesAndCanonicalizes) {
  auto c = Cidr::Parse("10.1.2.3/16");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->ToString(), "10.1.0.0/16");
  EXPECT_EQ(c->Size(), 65536u);
  EXPECT_TRUE(c->Contains(*IpAddress::Parse("10.1.255.255")));
  EXPECT_FALSE(c->Contains(*IpAddress::Parse("10.2.0.0")));
  EXPECT_FALSE(c->Contains(*IpAddress::Parse("::1")));
  auto host = Cidr::Parse("127.0.0.1");
  ASSERT_TRUE(host.has_value());
  EXPECT_EQ(host->Size(), 1u);
  auto v6 = Cidr::Parse("2001:db8::/32");
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->Size(), UINT64_MAX);
}

TEST(CidrTest, RejectsBadPrefix) {
  for (const char* bad : {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "::/129", "10.0.0/8"}) {
    EXPECT_FALSE(Cidr::Parse(bad).has_value()) << bad;
  }
}

TEST(IpRangeTest, FullAndShorthand) {
  auto r = IpRange::Parse("10.0.0.5-10.0.0.20");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->Size(), 16u);
  auto s = IpRange::Parse("10.0.0.5-9");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->last().ToString(), "10.0.0.9");
  EXPECT_FALSE(IpRange::Parse("10.0.0.9-5").has_value());
  EXPECT_FALSE(IpRange::Parse("10.0.0.1-::1").has_value());
  EXPECT_FALSE(IpRange::Parse("10.0.0.1-300").has_value());
}

}  // namespace
}  // namespace ciiscope::core
