// Reserved ranges and the authorization scope check (pure; no network).
#include "scanner/scope_policy.h"

#include <gtest/gtest.h>

namespace ciiscope::scanner {
namespace {

Target T(const char* address, const char* hostname = "") {
  return Target{*core::IpAddress::Parse(address), hostname};
}

TEST(ReservedTest, RefusesReservedBlocks) {
  for (const char* a : {"0.0.0.0", "0.1.2.3", "224.0.0.1", "239.255.255.250", "240.0.0.1",
                        "255.255.255.255", "169.254.169.254", "169.254.1.1", "ff02::1",
                        "fe80::1", "::", "::ffff:169.254.169.254", "fd00:ec2::254"}) {
    EXPECT_NE(ReservedBlock(*core::IpAddress::Parse(a)), "") << a;
  }
  for (const char* a : {"127.0.0.1", "10.0.0.1", "192.0.2.1", "223.255.255.255", "169.253.0.1",
                        "::1", "2001:db8::1", "fec0::1", "::ffff:10.0.0.1"}) {
    EXPECT_EQ(ReservedBlock(*core::IpAddress::Parse(a)), "") << a;
  }
}

TEST(ReservedTest, MessageNamesFirstFewAndCount) {
  EXPECT_TRUE(RefuseReserved({T("127.0.0.1"), T("::1")}));
  std::vector<Target> targets = {T("127.0.0.1"), T("169.254.169.254", "metadata.internal")};
  for (int i = 1; i <= 6; ++i) targets.push_back(T(("224.0.0." + std::to_string(i)).c_str()));
  auto st = RefuseReserved(targets);
  ASSERT_FALSE(st);
  const std::string& m = st.error().message();
  EXPECT_EQ(m.find('\n'), std::string::npos);
  EXPECT_NE(m.find("refusing 7 reserved"), std::string::npos) << m;
  EXPECT_NE(m.find("metadata.internal (169.254.169.254)"), std::string::npos) << m;
  EXPECT_NE(m.find("--allow-reserved"), std::string::npos) << m;
  EXPECT_NE(m.find("and 2 more"), std::string::npos) << m;
  EXPECT_EQ(m.find("127.0.0.1"), std::string::npos) << m;
}

TEST(AuthScopeTest, CidrsAndHostnamesCover) {
  auto scope = ParseAuthScope({"10.1.0.0/16", "192.0.2.7", "portal.example.edu", "*.lab.example.edu",
                               "2001:db8::/32"});
  ASSERT_TRUE(scope) << scope.error().message();
  EXPECT_TRUE(Covers(*scope, T("10.1.255.3")));
  EXPECT_FALSE(Covers(*scope, T("10.2.0.1")));
  EXPECT_TRUE(Covers(*scope, T("192.0.2.7")));
  EXPECT_FALSE(Covers(*scope, T("192.0.2.8")));
  EXPECT_TRUE(Covers(*scope, T("198.51.100.1", "Portal.Example.EDU")));
  EXPECT_FALSE(Covers(*scope, T("198.51.100.1", "evil-portal.example.edu")));
  EXPECT_TRUE(Covers(*scope, T("198.51.100.2", "a.b.lab.example.edu")));
  EXPECT_FALSE(Covers(*scope, T("198.51.100.2", "lab.example.edu.evil.com")));
  EXPECT_TRUE(Covers(*scope, T("2001:db8::5")));
  EXPECT_FALSE(Covers(*scope, T("::1")));
}

TEST(AuthScopeTest, BadEntriesAreNamed) {
  for (const char* bad : {"10.0.0.0/33", "10.0.0.300", "bad host", "a/b"}) {
    auto r = ParseAuthScope({bad});
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message().find(bad), std::string::npos) << r.error().message();
  }
  EXPECT_FALSE(ParseAuthScope({}));
}

TEST(AuthScopeTest, UncoveredTargetsListed) {
  auto loop = ParseAuthScope({"127.0.0.0/8", "::1/128"});
  ASSERT_TRUE(loop);
  std::vector<Target> targets = {T("127.0.0.1"), T("192.0.2.1"), T("::1"), T("192.0.2.2", "x.test")};
  auto un = UncoveredTargets(targets, {*loop});
  ASSERT_EQ(un, (std::vector<size_t>{1, 3}));
  EXPECT_EQ(ListTargets(targets, un), "192.0.2.1, x.test (192.0.2.2)");
  EXPECT_EQ(ListTargets(targets, un, 1), "192.0.2.1 and 1 more");
  EXPECT_EQ(UncoveredTargets(targets, {}).size(), 4u);
}

}  // namespace
}  // namespace ciiscope::scanner
