// CII identification with the shipped rule packs: raw evidence → fingerprint
// → identify → asset role/criticality/CII candidacy/data tags in the store;
// an operator's decision survives reassessment.
#include "assessor/identify.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "assessor/assessor.h"
#include "core/clock.h"
#include "inventory/store/store.h"
#include "rulelang/rule.h"

namespace ciiscope::assessor {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

rulelang::Rule IdentifyRule(std::string id, std::string role, std::string criticality, bool cii,
                            std::vector<std::string> data) {
  rulelang::Rule r;
  r.id = std::move(id);
  r.kind = rulelang::RuleKind::kIdentify;
  r.identity = {std::move(role), std::move(criticality), cii, std::move(data)};
  return r;
}

TEST(IdentityMergerTest, MostCriticalRoleWinsTagsUniteCandidacyIsAny) {
  IdentityMerger m;
  m.Saw(1);
  m.Saw(2);
  m.Add(1, IdentifyRule("a", "mail", "medium", false, {"mail"}));
  m.Add(1, IdentifyRule("b", "identity-sso", "high", true, {"identity", "personal-info"}));
  m.Add(1, IdentifyRule("c", "database", "high", false, {"personal-info"}));  // tie: first stays
  m.Add(1, IdentifyRule("d", "remote-access", "low", false, {}));
  const auto& a = m.assets().at(1);
  EXPECT_EQ(a.role, "identity-sso");
  EXPECT_EQ(a.criticality, "high");
  EXPECT_EQ(a.rule_id, "b");
  EXPECT_TRUE(a.cii_candidate);
  EXPECT_EQ(a.data_tags, (std::vector<std::string>{"identity", "mail", "personal-info"}));
  const auto& none = m.assets().at(2);
  EXPECT_EQ(none.role, "");
  EXPECT_FALSE(none.cii_candidate);
}

class IdentifyAssessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("identify-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto set = rulelang::LoadRuleDir(std::string(CIISCOPE_SOURCE_DIR) + "/rules");
    ASSERT_TRUE(set.errors.empty()) << set.errors.front().message();
    rules_ = std::move(set.rules);
    auto store = inventory::Store::Open((dir_ / "inv.db").string());
    ASSERT_TRUE(store.has_value()) << store.error().message();
    store_ = std::move(store).value();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  inventory::Observation Obs(const std::string& address, uint16_t port, const std::string& kind, json data) {
    inventory::Observation o;
    o.address = address;
    o.transport = "tcp";
    o.port = port;
    o.kind = kind;
    o.state = kind == "port_state" ? "open" : "";
    o.data_json = data.dump();
    return o;
  }
  int64_t Scan(const std::vector<inventory::Observation>& obs) {
    inventory::Scan scan;
    scan.started_at = core::NowMillis();
    scan.status = "running";
    auto id = store_->CreateScan(scan);
    EXPECT_TRUE(id.has_value());
    EXPECT_TRUE(store_->RecordObservations(*id, obs).has_value());
    EXPECT_TRUE(store_->FinishScan(*id, "done", "{}").has_value());
    return *id;
  }
  std::vector<inventory::Observation> CampusScan() {
    return {
        // CAS SSO (fingerprinted by fp-cas from the login form).
        Obs("127.0.0.21", 443, "port_state", {{"state", "open"}}),
        Obs("127.0.0.21", 443, "http",
            {{"scheme", "https"}, {"url", "https://127.0.0.21/cas/login"}, {"status", 200},
             {"title", "统一身份认证平台"},
             {"headers", {{"server", "nginx"}}},
             {"body", "<form id=\"fm1\" action=\"/cas/login?service=x\" method=\"post\">"}}),
        // A MySQL server.
        Obs("127.0.0.22", 3306, "port_state", {{"state", "open"}}),
        Obs("127.0.0.22", 3306, "banner", {{"text", "J\\x00\\x00\\x00\n5.7.33-log\\x00"}}),
        // A news site: no role.
        Obs("127.0.0.23", 80, "port_state", {{"state", "open"}}),
        Obs("127.0.0.23", 80, "http",
            {{"scheme", "http"}, {"url", "http://127.0.0.23/"}, {"status", 200}, {"title", "学院新闻"},
             {"headers", {{"server", "nginx"}}}, {"body", "<html>新闻</html>"}}),
    };
  }
  inventory::Asset AssetAt(const std::string& address) {
    auto assets = store_->ListAssets();
    EXPECT_TRUE(assets.has_value());
    for (const auto& a : *assets) {
      if (a.address == address) return a;
    }
    ADD_FAILURE() << "no asset " << address;
    return {};
  }

  fs::path dir_;
  std::vector<rulelang::Rule> rules_;
  std::unique_ptr<inventory::Store> store_;
};

TEST_F(IdentifyAssessTest, ShippedRulesGiveRolesCandidacyAndDataTags) {
  int64_t scan = Scan(CampusScan());
  AssessOptions opts;
  opts.scan_id = scan;
  auto stats = Assess(*store_, rules_, opts);
  ASSERT_TRUE(stats.has_value()) << stats.error().message();
  EXPECT_EQ(stats->assets_identified, 2u);
  EXPECT_EQ(stats->cii_candidates, 1u);

  auto sso = AssetAt("127.0.0.21");
  EXPECT_EQ(sso.role, "identity-sso");
  EXPECT_EQ(sso.criticality, "high");
  EXPECT_EQ(sso.cii_status, "candidate");
  EXPECT_EQ(sso.identified_by, "id-identity-cas");
  EXPECT_EQ(sso.data_tags, (std::vector<std::string>{"identity", "personal-info"}));

  auto db = AssetAt("127.0.0.22");
  EXPECT_EQ(db.role, "database");
  EXPECT_EQ(db.cii_status, "");
  EXPECT_EQ(db.data_tags, (std::vector<std::string>{"personal-info"}));

  auto news = AssetAt("127.0.0.23");
  EXPECT_EQ(news.role, "");
  EXPECT_EQ(news.cii_status, "");
}

TEST_F(IdentifyAssessTest, OperatorDecisionSurvivesReassessment) {
  int64_t scan = Scan(CampusScan());
  AssessOptions opts;
  opts.scan_id = scan;
  ASSERT_TRUE(Assess(*store_, rules_, opts).has_value());
  auto sso = AssetAt("127.0.0.21");
  auto news = AssetAt("127.0.0.23");
  ASSERT_TRUE(store_->DecideAssetCii(sso.id, "rejected", "alice", "test instance, not production", 1000).has_value());
  ASSERT_TRUE(store_->DecideAssetCii(news.id, "confirmed", "alice", "main public site", 2000).has_value());

  opts.scan_id = Scan(CampusScan());  // a rescan, then assess it
  ASSERT_TRUE(Assess(*store_, rules_, opts).has_value());
  sso = AssetAt("127.0.0.21");
  EXPECT_EQ(sso.cii_status, "rejected");
  EXPECT_EQ(sso.role, "identity-sso");  // identification still current
  EXPECT_EQ(sso.cii_decided_by, "alice");
  EXPECT_EQ(sso.cii_reason, "test instance, not production");
  news = AssetAt("127.0.0.23");
  EXPECT_EQ(news.cii_status, "confirmed");
  EXPECT_EQ(news.cii_decided_at, 2000);
}

TEST_F(IdentifyAssessTest, DecisionsAreValidated) {
  int64_t scan = Scan(CampusScan());
  AssessOptions opts;
  opts.scan_id = scan;
  ASSERT_TRUE(Assess(*store_, rules_, opts).has_value());
  auto sso = AssetAt("127.0.0.21");
  auto bad = store_->DecideAssetCii(sso.id, "maybe", "alice", "x", 1);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
  auto no_reason = store_->DecideAssetCii(sso.id, "confirmed", "alice", "", 1);
  ASSERT_FALSE(no_reason.has_value());
  auto missing = store_->DecideAssetCii(99999, "confirmed", "alice", "x", 1);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace ciiscope::assessor
