// Profiles: loading (rulelang/profile.h) and per-asset/per-unit evaluation
// against a real store after a real assessment.
#include "assessor/profile_eval.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "assessor/assessor.h"
#include "core/clock.h"
#include "inventory/store/store.h"
#include "rulelang/profile.h"

namespace ciiscope::assessor {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kProfile = R"(id: test3
title: {zh: 测试, en: Test}
standard: "GB/T 28448-2019"
level: 3
items:
  - id: L3-CES1-03
    title: {zh: 防窃听, en: No eavesdropping}
    references: [L3-CES1-03]
  - id: L3-CES1-18
    title: {zh: 高危端口, en: High-risk ports}
    references: [L3-CES1-18]
  - id: L3-CES1-27
    title: {zh: 保密性, en: Confidentiality}
    references: [L3-CES1-27]
    requires: tls
  - id: L3-CES1-99
    title: {zh: 无规则, en: No rule}
    rules: [nothing-like-this]
)";

TEST(ProfileLoadTest, ParsesItemsAndMatchesWholeWords) {
  auto p = rulelang::ParseProfile(kProfile, "p.yaml");
  ASSERT_TRUE(p.has_value()) << p.error().message();
  EXPECT_EQ(p->id, "test3");
  ASSERT_EQ(p->items.size(), 4u);
  EXPECT_EQ(p->items[2].needs, rulelang::ProfileEvidence::kTls);
  rulelang::Rule r;
  r.id = "x";
  r.references = {"GB/T 28448-2019 L3-CES1-18"};
  EXPECT_TRUE(rulelang::ItemCovers(p->items[1], r));
  EXPECT_FALSE(rulelang::ItemCovers(p->items[0], r));
  rulelang::ProfileItem prefix;
  prefix.references = {"L3-CES1-1"};
  EXPECT_FALSE(rulelang::ItemCovers(prefix, r));  // not a prefix match
  rulelang::ProfileItem by_tag;
  by_tag.tags = {"plaintext"};
  r.tags = {"exposure", "plaintext"};
  EXPECT_TRUE(rulelang::ItemCovers(by_tag, r));
}

TEST(ProfileLoadTest, ErrorsArePositioned) {
  std::string bad = kProfile;
  bad.replace(bad.find("requires: tls"), 13, "requires: ssh");
  auto p = rulelang::ParseProfile(bad, "p.yaml");
  ASSERT_FALSE(p.has_value());
  EXPECT_TRUE(p.error().message().starts_with("p.yaml:15:15: expected requires")) << p.error().message();
  auto unknown = rulelang::ParseProfile(std::string(kProfile) + "extra: 1\n", "p.yaml");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_TRUE(unknown.error().message().starts_with("p.yaml:19:1: ")) << unknown.error().message();
  auto dup = rulelang::ParseProfile(std::string(kProfile) + "  - {id: L3-CES1-03, title: {zh: a, en: b}, rules: [x]}\n",
                                    "p.yaml");
  ASSERT_FALSE(dup.has_value());
  EXPECT_NE(dup.error().message().find("unique item id"), std::string::npos);
}

TEST(ProfileLoadTest, ShippedMlps3ProfileIsCoveredByShippedRules) {
  const std::string rules_dir = std::string(CIISCOPE_SOURCE_DIR) + "/rules";
  auto p = rulelang::FindProfile(rules_dir + "/profiles", "mlps3");
  ASSERT_TRUE(p.has_value()) << p.error().message();
  EXPECT_EQ(p->standard, "GB/T 28448-2019");
  EXPECT_GE(p->items.size(), 7u);
  auto set = rulelang::LoadRuleDir(rules_dir);
  ASSERT_TRUE(set.errors.empty()) << set.errors.front().message();
  for (const char* must : {"L3-CES1-03", "L3-CES1-06", "L3-CES1-18", "L3-CES1-21", "L3-CES1-25", "L3-CES1-27"}) {
    bool covered = false;
    for (const auto& item : p->items) {
      if (item.id != must) continue;
      for (const auto& rule : set.rules) covered = covered || rulelang::ItemCovers(item, rule);
    }
    EXPECT_TRUE(covered) << must << " has no shipped rule";
  }
}

class ProfileEvalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("profile-eval-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "rules");
    std::ofstream(dir_ / "rules" / "telnet.yaml") << R"(id: telnet-open
kind: check
severity: high
title: {zh: Telnet, en: Telnet}
remediation: {zh: 关闭, en: Close it}
references: ["GB/T 28448-2019 L3-CES1-03", "GB/T 28448-2019 L3-CES1-18"]
when: service.port == 23
)";
    std::ofstream(dir_ / "rules" / "tls10.yaml") << R"(id: tls-old
kind: check
severity: medium
title: {zh: 旧 TLS, en: Old TLS}
remediation: {zh: 升级, en: Upgrade}
references: ["GB/T 28448-2019 L3-CES1-27"]
when: tls.version == "TLSv1.0"
)";
    auto set = rulelang::LoadRuleDir((dir_ / "rules").string());
    ASSERT_TRUE(set.errors.empty()) << set.errors.front().message();
    rules_ = std::move(set.rules);
    auto store = inventory::Store::Open((dir_ / "inv.db").string());
    ASSERT_TRUE(store.has_value());
    store_ = std::move(store).value();
    auto profile = rulelang::ParseProfile(kProfile, "p.yaml");
    ASSERT_TRUE(profile.has_value());
    profile_ = *profile;
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  void Add(std::vector<inventory::Observation>& obs, const std::string& addr, uint16_t port,
           const std::string& kind, json data) {
    inventory::Observation o;
    o.address = addr;
    o.transport = "tcp";
    o.port = port;
    o.kind = kind;
    o.state = kind == "port_state" ? "open" : "";
    o.data_json = data.dump();
    obs.push_back(o);
  }
  fs::path dir_;
  std::vector<rulelang::Rule> rules_;
  std::unique_ptr<inventory::Store> store_;
  rulelang::Profile profile_;
};

const json& ResultFor(const json& doc, const std::string& address, const std::string& item) {
  for (const auto& a : doc["assets"]) {
    if (a["address"] != address) continue;
    for (const auto& r : a["results"]) {
      if (r["item"] == item) return r;
    }
  }
  static const json kNone;
  ADD_FAILURE() << address << " " << item;
  return kNone;
}

TEST_F(ProfileEvalTest, PassFailAndNotAssessablePerAssetAndUnit) {
  inventory::Scan scan;
  scan.started_at = core::NowMillis();
  scan.status = "running";
  auto scan_id = store_->CreateScan(scan);
  ASSERT_TRUE(scan_id.has_value());
  std::vector<inventory::Observation> obs;
  Add(obs, "127.0.0.31", 23, "port_state", {{"state", "open"}});           // telnet: fails 03, 18
  Add(obs, "127.0.0.32", 443, "port_state", {{"state", "open"}});          // TLS 1.2: passes all
  Add(obs, "127.0.0.32", 443, "tls", {{"version", "TLSv1.2"}});
  Add(obs, "127.0.0.33", 443, "port_state", {{"state", "open"}});          // TLS 1.0: fails 27
  Add(obs, "127.0.0.33", 443, "tls", {{"version", "TLSv1.0"}});
  ASSERT_TRUE(store_->RecordObservations(*scan_id, obs).has_value());
  AssessOptions opts;
  opts.scan_id = *scan_id;
  ASSERT_TRUE(Assess(*store_, rules_, opts).has_value());

  auto doc = EvaluateProfile(*store_, profile_, rules_, *scan_id);
  ASSERT_TRUE(doc.has_value()) << doc.error().message();
  EXPECT_EQ((*doc)["schema"], "ciiscope.profile/1");
  const json& telnet03 = ResultFor(*doc, "127.0.0.31", "L3-CES1-03");
  EXPECT_EQ(telnet03["status"], "fail");
  ASSERT_EQ(telnet03["findings"].size(), 1u);
  EXPECT_EQ(telnet03["findings"][0]["rule_id"], "telnet-open");
  EXPECT_EQ(ResultFor(*doc, "127.0.0.31", "L3-CES1-18")["status"], "fail");
  EXPECT_EQ(ResultFor(*doc, "127.0.0.31", "L3-CES1-27")["status"], "not_assessable");  // no TLS seen
  EXPECT_EQ(ResultFor(*doc, "127.0.0.32", "L3-CES1-18")["status"], "pass");
  EXPECT_EQ(ResultFor(*doc, "127.0.0.32", "L3-CES1-27")["status"], "pass");
  EXPECT_EQ(ResultFor(*doc, "127.0.0.33", "L3-CES1-27")["status"], "fail");
  EXPECT_EQ(ResultFor(*doc, "127.0.0.32", "L3-CES1-99")["status"], "not_assessable");  // no rule
  EXPECT_EQ((*doc)["summary"]["fail"], 3);
  EXPECT_EQ((*doc)["summary"]["pass"], 5);
  EXPECT_EQ((*doc)["summary"]["not_assessable"], 4);
  ASSERT_EQ((*doc)["units"].size(), 1u);  // all unowned
  const json& unit = (*doc)["units"][0];
  EXPECT_EQ(unit["results"][0]["status"], "fail");
  EXPECT_EQ(unit["results"][2]["status"], "fail");
  EXPECT_EQ(unit["results"][3]["status"], "not_assessable");

  // A false positive no longer fails the item.
  int64_t fid = telnet03["findings"][0]["id"];
  ASSERT_TRUE(store_->SetFindingStatus(fid, "false_positive", "alice", "lab honeypot").has_value());
  auto again = EvaluateProfile(*store_, profile_, rules_, *scan_id);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(ResultFor(*again, "127.0.0.31", "L3-CES1-03")["status"], "pass");
}

inventory::Unit U(int64_t id, std::string code, std::string level, int64_t parent,
                  std::string parent_code) {
  inventory::Unit u;
  u.id = id;
  u.code = std::move(code);
  u.name = u.code + "-name";
  u.level = std::move(level);
  u.parent_id = parent;
  u.parent_code = std::move(parent_code);
  return u;
}

TEST(ProfileRollUpTest, SubtreesFailWhenAnyAssetBelowFails) {
  // ministry → two provinces → city → two schools; only the schools own assets.
  std::vector<inventory::Unit> units = {
      U(1, "moe", "ministry", 0, ""),     U(2, "gd", "province", 1, "moe"),
      U(3, "gz", "city", 2, "gd"),        U(4, "s1", "school", 3, "gz"),
      U(5, "s2", "school", 3, "gz"),      U(6, "bj", "province", 1, "moe"),
  };
  std::map<int64_t, std::vector<ItemCounts>> direct = {
      {4, {{0, 1}, {2, 0}}},   // s1: item A fails on one asset, B passes on two
      {5, {{1, 0}, {1, 0}}},   // s2: both pass
      {0, {{0, 3}, {0, 3}}},   // unowned assets: not in the hierarchy
  };
  json r = RollUpUnits(units, {"A", "B"}, direct);
  ASSERT_EQ(r.size(), 6u);
  std::vector<std::string> order;
  for (const auto& u : r) order.push_back(u["code"].get<std::string>() + "@" + std::to_string(u["depth"].get<int>()));
  EXPECT_EQ(order, (std::vector<std::string>{"moe@0", "bj@1", "gd@1", "gz@2", "s1@3", "s2@3"}));
  auto item = [&](size_t unit, size_t i) { return r[unit]["results"][i]; };
  // The ministry sees everything below it: A fails (1 failing, 1 passing asset).
  EXPECT_EQ(item(0, 0)["status"], "fail");
  EXPECT_EQ(item(0, 0)["assets_failing"], 1);
  EXPECT_EQ(item(0, 0)["assets_passing"], 1);
  EXPECT_EQ(item(0, 1)["status"], "pass");
  EXPECT_EQ(item(0, 1)["assets_passing"], 3);
  EXPECT_EQ(r[0]["summary"]["fail"], 1);
  // A province without assets below it cannot be assessed.
  EXPECT_EQ(item(1, 0)["status"], "not_assessable");
  EXPECT_EQ(r[1]["summary"]["not_assessable"], 2);
  // The city and province in between carry the school's failure.
  EXPECT_EQ(item(2, 0)["status"], "fail");
  EXPECT_EQ(item(3, 0)["status"], "fail");
  EXPECT_EQ(r[3]["parent"], "gd");
  // Each school only its own assets.
  EXPECT_EQ(item(4, 0)["status"], "fail");
  EXPECT_EQ(item(5, 0)["status"], "pass");
  EXPECT_EQ(item(5, 0)["assets_failing"], 0);
}

TEST(ProfileRollUpTest, ParentCycleIsListedOnce) {
  std::vector<inventory::Unit> units = {U(1, "a", "city", 2, "b"), U(2, "b", "city", 1, "a")};
  json r = RollUpUnits(units, {"A"}, {{1, {{0, 1}}}});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0]["code"], "a");
  EXPECT_EQ(r[1]["code"], "b");
  EXPECT_EQ(r[0]["results"][0]["status"], "fail");
}

}  // namespace
}  // namespace ciiscope::assessor
