// Units ledger logic of the assessor (ownership, domains, ledger facts) and
// the operator lifecycle table.

#include <gtest/gtest.h>

#include "assessor/ledger.h"
#include "assessor/ledger_assess.h"
#include "assessor/lifecycle.h"

namespace ciiscope::assessor {
namespace {

using inventory::Unit;

Unit MakeUnit(int64_t id, std::string code, std::string parent, std::string level,
              std::vector<std::string> cidrs, std::vector<std::string> domains = {}) {
  Unit u;
  u.id = id;
  u.code = std::move(code);
  u.parent_code = std::move(parent);
  u.name = u.code;
  u.level = std::move(level);
  u.cidrs = std::move(cidrs);
  u.domains = std::move(domains);
  return u;
}

UnitIndex Sample() {
  return UnitIndex({MakeUnit(1, "prov", "", "province", {"10.0.0.0/8"}, {"edu.example"}),
                    MakeUnit(2, "univ", "prov", "school", {"10.1.0.0/16"}, {"univ.edu.example"}),
                    MakeUnit(3, "cs", "univ", "department", {"10.1.2.0/24"}),
                    MakeUnit(4, "lib", "univ", "department", {"10.1.2.0/24"}),
                    MakeUnit(5, "city", "prov", "city", {"10.1.0.0/16"})});
}

core::IpAddress Ip(const char* text) { return *core::IpAddress::Parse(text); }

TEST(UnitIndexTest, LongestPrefixWinsThenDeeperLevelThenLowerId) {
  UnitIndex index = Sample();
  EXPECT_EQ(index.Owner(Ip("10.9.9.9"))->code, "prov");
  EXPECT_EQ(index.Owner(Ip("10.1.9.9"))->code, "univ");  // /16 tie: school deeper than city
  EXPECT_EQ(index.Owner(Ip("10.1.2.3"))->code, "cs");    // /24 tie at same level: lower id
  EXPECT_EQ(index.Owner(Ip("192.0.2.1")), nullptr);
  EXPECT_EQ(index.Owner(Ip("::1")), nullptr);
}

TEST(UnitIndexTest, DomainOwnerMatchesAtLabelBoundaries) {
  UnitIndex index = Sample();
  EXPECT_EQ(index.DomainOwner("WWW.Univ.Edu.Example.")->unit->code, "univ");
  EXPECT_EQ(index.DomainOwner("univ.edu.example")->domain, "univ.edu.example");
  EXPECT_EQ(index.DomainOwner("portal.edu.example")->unit->code, "prov");
  EXPECT_FALSE(index.DomainOwner("notuniv.edu.example.org"));
  EXPECT_FALSE(index.DomainOwner("xedu.example"));
}

TEST(UnitIndexTest, RangesIncludeUnitsBelow) {
  UnitIndex index = Sample();
  const Unit* univ = index.DomainOwner("univ.edu.example")->unit;
  EXPECT_TRUE(index.InRangesOf(*univ, Ip("10.1.2.3")));
  EXPECT_FALSE(index.InRangesOf(*univ, Ip("10.2.0.1")));
  const Unit* prov = index.DomainOwner("edu.example")->unit;
  EXPECT_TRUE(index.InRangesOf(*prov, Ip("10.1.2.3")));
}

TEST(LedgerTest, CollectNamesFromHostnamesSansCnAndUrl) {
  auto facts = nlohmann::json::parse(R"({
    "asset": {"hostnames": ["Portal.Univ.Edu.Example.", "10.1.2.3"]},
    "tls": {"cert": {"subject": "CN=mail.univ.edu.example,O=Univ", "sans": ["*.univ.edu.example", "portal.univ.edu.example"]}},
    "http": {"url": "https://apply.univ.edu.example:8443/login"}})");
  std::vector<std::string> names;
  CollectNames(facts, names);
  EXPECT_EQ(names, (std::vector<std::string>{"portal.univ.edu.example", "univ.edu.example",
                                              "mail.univ.edu.example", "apply.univ.edu.example"}));
}

TEST(LedgerTest, FactsForOwnedShadowAndOffRangeDomain) {
  UnitIndex index = Sample();
  LedgerAsset cloud;
  cloud.asset.address = "203.0.113.7";
  cloud.names = {"apply.univ.edu.example", "unrelated.example.org"};
  auto docs = LedgerFacts(index, cloud);
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0]["ledger"]["owned"], false);
  EXPECT_TRUE(docs[0]["asset"]["unit"].is_null());
  EXPECT_EQ(docs[1]["ledger"]["domain"]["unit"], "univ");
  EXPECT_EQ(docs[1]["ledger"]["domain"]["in_range"], false);

  LedgerAsset home;
  home.asset.address = "10.1.2.3";
  home.names = {"www.univ.edu.example"};
  docs = LedgerFacts(index, home);
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0]["asset"]["unit"]["code"], "cs");
  EXPECT_EQ(docs[1]["ledger"]["domain"]["in_range"], true);
  EXPECT_EQ(docs[0]["asset"]["seen"], (nlohmann::json{{"active", false}, {"passive", false}}));
}

// asset.seen carries the engines that saw the asset; an empty ledger still
// gives the base document (ledger.units 0), so asset-passive-only can match.
TEST(LedgerTest, SeenByEnginesWithoutALedger) {
  UnitIndex empty({});
  LedgerAsset a;
  a.asset.address = "10.9.9.9";
  a.asset.seen_passive = true;
  a.names = {"www.univ.edu.example"};
  auto docs = LedgerFacts(empty, a);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0]["ledger"]["units"], 0);
  EXPECT_EQ(docs[0]["asset"]["seen"], (nlohmann::json{{"active", false}, {"passive", true}}));
  EXPECT_TRUE(a.asset.passive_only());
  a.asset.seen_active = true;
  EXPECT_FALSE(a.asset.passive_only());
}

TEST(LifecycleTest, AllowedAndRefusedMoves) {
  struct Case {
    const char* action;
    const char* from;
    const char* to;  // nullptr = refused
  } cases[] = {
      {"ack", "open", "acknowledged"},     {"ack", "reopened", "acknowledged"},
      {"ack", "fixed", nullptr},           {"fix", "acknowledged", "fixed"},
      {"fix", "verified", nullptr},        {"accept", "open", "accepted"},
      {"accept", "closed", nullptr},       {"false-positive", "accepted", "false_positive"},
      {"false-positive", "fixed", nullptr}, {"reopen", "verified", "reopened"},
      {"reopen", "open", nullptr},         {"assign", "acknowledged", ""},
      {"assign", "closed", nullptr},
  };
  for (const auto& c : cases) {
    auto next = NextStatus(c.action, c.from, 7);
    if (c.to == nullptr) {
      ASSERT_FALSE(next) << c.action << " from " << c.from;
      EXPECT_NE(next.error().message().find(std::string("finding 7 is ") + c.from),
                std::string::npos)
          << next.error().message();
    } else {
      ASSERT_TRUE(next) << c.action << " from " << c.from << ": " << next.error().message();
      EXPECT_EQ(*next, c.to);
    }
  }
  EXPECT_FALSE(NextStatus("close", "open", 1));
}

}  // namespace
}  // namespace ciiscope::assessor
