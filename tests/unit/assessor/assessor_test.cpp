#include "assessor/assessor.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "core/clock.h"
#include "inventory/store/store.h"
#include "rulelang/rule.h"

namespace ciiscope::assessor {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

inventory::Evidence Ev(std::string kind, json data) {
  inventory::Evidence e;
  e.kind = std::move(kind);
  e.data_json = data.dump();
  return e;
}

TEST(BuildFactsTest, FoldsEvidenceKindsIntoFacts) {
  inventory::Asset asset;
  asset.address = "127.0.0.5";
  asset.hostnames = {"portal.example.edu.cn"};
  inventory::Service svc;
  svc.transport = "tcp";
  svc.port = 6379;
  svc.state = "open";
  svc.name = "stale-name-from-last-run";
  std::vector<inventory::Evidence> ev = {
      Ev("port_state", {{"state", "open"}}),
      Ev("banner", {{"text", "first"}}),
      Ev("banner", {{"text", "second"}}),
      Ev("probe", {{"probe", "redis-info"}, {"text", "redis_version:5.0.7"}}),
      Ev("http", {{"status", 200}, {"title", "t"}}),
      Ev("tls", {{"version", "TLSv1.2"}}),
  };
  inventory::Evidence broken;
  broken.kind = "banner";
  broken.data_json = "{not json";
  ev.push_back(broken);
  json facts = BuildFacts(asset, svc, ev);
  EXPECT_EQ(facts["asset"]["address"], "127.0.0.5");
  EXPECT_EQ(facts["asset"]["hostnames"][0], "portal.example.edu.cn");
  EXPECT_EQ(facts["service"]["port"], 6379);
  EXPECT_EQ(facts["service"]["name"], "");  // recomputed by fingerprints, not inherited
  EXPECT_EQ(facts["banner"], "first");
  EXPECT_EQ(facts["probe"]["redis-info"]["text"], "redis_version:5.0.7");
  EXPECT_EQ(facts["http"]["status"], 200);
  EXPECT_EQ(facts["tls"]["version"], "TLSv1.2");
}

TEST(FindingKeyTest, StableAndDistinct) {
  auto a = FindingKey("redis-unauthenticated", "10.0.0.1", "tcp", 6379);
  EXPECT_EQ(a, FindingKey("redis-unauthenticated", "10.0.0.1", "tcp", 6379));
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, FindingKey("redis-unauthenticated", "10.0.0.1", "tcp", 6380));
  EXPECT_NE(a, FindingKey("redis-unauthenticated", "10.0.0.2", "tcp", 6379));
  EXPECT_NE(a, FindingKey("telnet-exposed", "10.0.0.1", "tcp", 6379));
}

TEST(DueAtTest, FollowsSeverityTable) {
  constexpr int64_t kDay = 86400000;
  EXPECT_EQ(DueAt("critical", 0), 3 * kDay);
  EXPECT_EQ(DueAt("high", 0), 7 * kDay);
  EXPECT_EQ(DueAt("info", 5), 0);
}

AssessOptions Opts(int64_t scan) {
  AssessOptions o;
  o.scan_id = scan;
  o.actor = "test";
  return o;
}

class AssessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("assessor-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "rules");
    WriteRule("fp-redis.yaml", R"(id: fp-redis
kind: fingerprint
title: {zh: Redis 识别, en: Redis fingerprint}
when: 'probe["redis-info"].text contains "redis_version:"'
set: {service.name: redis, service.product: Redis}
extract:
  - {target: service.version, from: 'probe["redis-info"].text', regex: 'redis_version:([0-9.]+)'}
)");
    WriteRule("redis-unauth.yaml", R"(id: redis-unauth-test
kind: check
severity: critical
title: {zh: Redis 未授权访问, en: Redis without authentication}
remediation: {zh: 设置密码, en: Require a password}
references: ["GB/T 28448-2019 L3-CES1-06"]
when: 'service.name == "redis" && probe["redis-info"].text contains "redis_version"'
)");
    auto set = rulelang::LoadRuleDir((dir_ / "rules").string());
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
  void WriteRule(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / "rules" / name) << text;
  }
  int64_t ScanWith(const std::string& redis_text) {
    inventory::Scan scan;
    scan.started_at = core::NowMillis();
    scan.status = "running";
    auto id = store_->CreateScan(scan);
    EXPECT_TRUE(id.has_value());
    std::vector<inventory::Observation> obs(2);
    obs[0].address = "127.0.0.9";
    obs[0].transport = "tcp";
    obs[0].port = 6379;
    obs[0].kind = "port_state";
    obs[0].state = "open";
    obs[0].data_json = R"({"state":"open"})";
    obs[1] = obs[0];
    obs[1].kind = "probe";
    obs[1].state = "";
    obs[1].data_json = json({{"probe", "redis-info"}, {"text", redis_text}}).dump();
    EXPECT_TRUE(store_->RecordObservations(*id, obs).has_value());
    EXPECT_TRUE(store_->FinishScan(*id, "done", "{}").has_value());
    return *id;
  }

  fs::path dir_;
  std::vector<rulelang::Rule> rules_;
  std::unique_ptr<inventory::Store> store_;
};

TEST_F(AssessTest, FingerprintsAndRaisesOneFindingAcrossReassessments) {
  int64_t scan = ScanWith("# Server\r\nredis_version:5.0.7\r\n");
  auto stats = Assess(*store_, rules_, Opts(scan));
  ASSERT_TRUE(stats.has_value()) << stats.error().message();
  EXPECT_EQ(stats->services, 1u);
  EXPECT_EQ(stats->findings_new, 1u);

  auto services = store_->ListServices();
  ASSERT_TRUE(services.has_value());
  ASSERT_EQ(services->size(), 1u);
  EXPECT_EQ((*services)[0].name, "redis");
  EXPECT_EQ((*services)[0].product, "Redis");
  EXPECT_EQ((*services)[0].version, "5.0.7");

  auto again = Assess(*store_, rules_, Opts(scan));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->findings_new, 0u);
  auto findings = store_->ListFindings();
  ASSERT_TRUE(findings.has_value());
  ASSERT_EQ(findings->size(), 1u);
  const auto& f = (*findings)[0];
  EXPECT_EQ(f.rule_id, "redis-unauth-test");
  EXPECT_EQ(f.severity, "critical");
  EXPECT_EQ(f.status, "open");
  EXPECT_EQ(f.title.en, "Redis without authentication");
  EXPECT_GT(f.due_at, 0);
  EXPECT_FALSE(f.evidence_ids.empty());
}

TEST_F(AssessTest, RescanThatNoLongerMatchesVerifiesTheFix) {
  int64_t first = ScanWith("redis_version:5.0.7");
  ASSERT_TRUE(Assess(*store_, rules_, Opts(first)).has_value());
  int64_t second = ScanWith("-NOAUTH Authentication required.");
  auto stats = Assess(*store_, rules_, Opts(second));
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->findings_verified, 1u);
  auto findings = store_->ListFindings();
  ASSERT_TRUE(findings.has_value());
  ASSERT_EQ(findings->size(), 1u);
  EXPECT_EQ((*findings)[0].status, "verified");
  // And it comes back as reopened when the problem returns.
  int64_t third = ScanWith("redis_version:5.0.7");
  auto back = Assess(*store_, rules_, Opts(third));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->findings_reopened, 1u);
}

// Hosts × ports services in one scan; redis(h) says what the Redis on the
// host's highest port answers (the other ports answer nothing).
int64_t ScanMany(inventory::Store& store, int hosts, int ports,
                 const std::function<std::string(int)>& redis) {
  inventory::Scan scan;
  scan.started_at = core::NowMillis();
  scan.status = "running";
  auto id = store.CreateScan(scan);
  EXPECT_TRUE(id.has_value());
  std::vector<inventory::Observation> obs;
  for (int h = 0; h < hosts; ++h) {
    for (int p = 0; p < ports; ++p) {
      inventory::Observation o;
      o.address = "127.1." + std::to_string(h / 250) + "." + std::to_string(h % 250 + 1);
      o.transport = "tcp";
      o.port = static_cast<uint16_t>(7000 + p);
      o.kind = "port_state";
      o.state = "open";
      o.data_json = R"({"state":"open"})";
      obs.push_back(o);
      if (p + 1 == ports) {
        o.kind = "probe";
        o.state = "";
        o.data_json = json({{"probe", "redis-info"}, {"text", redis(h)}}).dump();
        obs.push_back(o);
      }
    }
  }
  EXPECT_TRUE(store.RecordObservations(*id, obs).has_value());
  EXPECT_TRUE(store.FinishScan(*id, "done", "{}").has_value());
  return *id;
}

TEST_F(AssessTest, StreamsAcrossBatchesKeepingLifecycleAndAssetIdentity) {
  WriteRule("id-redis.yaml", R"(id: id-redis-test
kind: identify
title: {zh: 数据库, en: Database}
when: 'service.name == "redis"'
set: {asset.role: database, asset.criticality: high, asset.cii: true}
)");
  auto set = rulelang::LoadRuleDir((dir_ / "rules").string());
  ASSERT_TRUE(set.errors.empty()) << set.errors.front().message();
  rules_ = std::move(set.rules);
  // 3 services a host: pages of kAssessBatch (512) split hosts, and the
  // Redis that identifies a host is its last service, often on the next page.
  constexpr int kHosts = 400, kPorts = 3;
  static_assert(kHosts * kPorts > 2 * static_cast<int>(kAssessBatch));
  static_assert(kAssessBatch % kPorts != 0);
  const std::string open = "redis_version:7.0.0";
  int64_t first = ScanMany(*store_, kHosts, kPorts, [&](int) { return open; });
  auto stats = Assess(*store_, rules_, Opts(first));
  ASSERT_TRUE(stats.has_value()) << stats.error().message();
  EXPECT_EQ(stats->services, static_cast<uint64_t>(kHosts * kPorts));
  EXPECT_EQ(stats->findings_new, static_cast<uint64_t>(kHosts));
  EXPECT_EQ(stats->assets_identified, static_cast<uint64_t>(kHosts));
  EXPECT_EQ(stats->cii_candidates, static_cast<uint64_t>(kHosts));
  auto assets = store_->ListAssets();
  ASSERT_TRUE(assets.has_value());
  ASSERT_EQ(assets->size(), static_cast<size_t>(kHosts));
  for (const auto& a : *assets) EXPECT_EQ(a.role, "database") << a.address;

  // Even hosts now require a password: their findings are verified in
  // whichever page they fall; odd hosts persist; nothing is new.
  int64_t second = ScanMany(*store_, kHosts, kPorts, [&](int h) {
    return h % 2 == 0 ? std::string("-NOAUTH Authentication required.") : open;
  });
  auto again = Assess(*store_, rules_, Opts(second));
  ASSERT_TRUE(again.has_value()) << again.error().message();
  EXPECT_EQ(again->findings_new, 0u);
  EXPECT_EQ(again->findings_seen, static_cast<uint64_t>(kHosts / 2));
  EXPECT_EQ(again->findings_verified, static_cast<uint64_t>(kHosts / 2));
  auto findings = store_->ListFindings();
  ASSERT_TRUE(findings.has_value());
  ASSERT_EQ(findings->size(), static_cast<size_t>(kHosts));
  int verified = 0;
  for (const auto& f : *findings) {
    if (f.status == "verified") {
      ++verified;
      auto events = store_->FindingEvents(f.id);
      ASSERT_TRUE(events.has_value());
      ASSERT_EQ(events->size(), 2u);
      EXPECT_EQ(events->back().from_status, "open");
      EXPECT_EQ(events->back().to_status, "verified");
      EXPECT_EQ(events->back().reason, "not seen in scan " + std::to_string(second));
    } else {
      EXPECT_EQ(f.status, "open");
    }
  }
  EXPECT_EQ(verified, kHosts / 2);

  // The problem returns on every host: the verified half reopens.
  int64_t third = ScanMany(*store_, kHosts, kPorts, [&](int) { return open; });
  auto back = Assess(*store_, rules_, Opts(third));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->findings_reopened, static_cast<uint64_t>(kHosts / 2));
  EXPECT_EQ(back->findings_verified, 0u);
}

constexpr int64_t kDayMs = 86400LL * 1000;

// One open port on `address`, observed at `seen`, in a scan started at
// `started`; with a Redis answer when redis_text is not empty.
int64_t ScanAt(inventory::Store& store, const std::string& address, int64_t started, int64_t seen,
               const std::string& redis_text = "") {
  inventory::Scan scan;
  scan.started_at = started;
  scan.status = "running";
  auto id = store.CreateScan(scan);
  EXPECT_TRUE(id.has_value());
  inventory::Observation o;
  o.address = address;
  o.transport = "tcp";
  o.port = 6379;
  o.kind = "port_state";
  o.state = "open";
  o.data_json = R"({"state":"open"})";
  o.time = seen;
  std::vector<inventory::Observation> obs = {o};
  if (!redis_text.empty()) {
    o.kind = "probe";
    o.state = "";
    o.data_json = json({{"probe", "redis-info"}, {"text", redis_text}}).dump();
    obs.push_back(o);
  }
  EXPECT_TRUE(store.RecordObservations(*id, obs).has_value());
  EXPECT_TRUE(store.FinishScan(*id, "done", "{}").has_value());
  return *id;
}

const inventory::Finding* FindingOf(const std::vector<inventory::Finding>& findings,
                                    const std::string& rule) {
  for (const auto& f : findings) {
    if (f.rule_id == rule) return &f;
  }
  return nullptr;
}

TEST_F(AssessTest, StaleAssetsAreRaisedThenVerifiedWhenSeenAgain) {
  WriteRule("stale.yaml", R"(id: asset-stale-test
kind: check
severity: medium
tags: [stale]
title: {zh: 僵尸资产, en: Stale asset}
remediation: {zh: 核实, en: Check}
when: stale.after > 0 && asset.unseen_for >= stale.after
)");
  auto set = rulelang::LoadRuleDir((dir_ / "rules").string());
  ASSERT_TRUE(set.errors.empty()) << set.errors.front().message();
  rules_ = std::move(set.rules);
  const int64_t now = core::NowMillis();
  ScanAt(*store_, "127.0.0.20", now - 41 * kDayMs, now - 40 * kDayMs);
  const int64_t recent = ScanAt(*store_, "127.0.0.21", now, now);

  AssessOptions opts = Opts(recent);
  auto stats = Assess(*store_, rules_, opts);
  ASSERT_TRUE(stats.has_value()) << stats.error().message();
  EXPECT_EQ(stats->services, 1u);  // the stale asset has no evidence in this scan
  EXPECT_EQ(stats->stale_assets, 1u);
  auto findings = store_->ListFindings();
  ASSERT_TRUE(findings.has_value());
  const auto* stale = FindingOf(*findings, "asset-stale-test");
  ASSERT_NE(stale, nullptr);
  EXPECT_EQ(stale->address, "127.0.0.20");
  EXPECT_EQ(stale->service_id, 0);
  EXPECT_EQ(stale->status, "open");
  auto detail = json::parse(stale->detail_json);
  EXPECT_GE(detail["asset"]["unseen_for"].get<int64_t>(), 40 * 86400 - 5);
  EXPECT_EQ(detail["stale"]["days"], 30);

  // A longer threshold: no longer stale, so the finding is verified.
  opts.stale_days = 60;
  auto longer = Assess(*store_, rules_, opts);
  ASSERT_TRUE(longer.has_value());
  EXPECT_EQ(longer->stale_assets, 0u);
  EXPECT_EQ(longer->findings_verified, 1u);
  // Switched off: nothing is looked at, nothing changes.
  opts.stale_days = 0;
  auto off = Assess(*store_, rules_, opts);
  ASSERT_TRUE(off.has_value());
  EXPECT_EQ(off->stale_assets, 0u);
  EXPECT_EQ(off->findings_verified, 0u);
  opts.stale_days = 30;
  auto back = Assess(*store_, rules_, opts);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->findings_reopened, 1u);

  // The asset answers again: its stale finding is verified with a reason.
  const int64_t seen_again = ScanAt(*store_, "127.0.0.20", now, now);
  auto again = Assess(*store_, rules_, Opts(seen_again));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->stale_assets, 0u);
  EXPECT_EQ(again->findings_verified, 1u);
  auto events = store_->FindingEvents(stale->id);
  ASSERT_TRUE(events.has_value());
  EXPECT_EQ(events->back().to_status, "verified");
  EXPECT_EQ(events->back().reason,
            "asset seen again (scan " + std::to_string(seen_again) + ")");
}

TEST_F(AssessTest, VersionUnchangedForAYearIsAZombieService) {
  WriteRule("zombie.yaml", R"(id: zombie-test
kind: check
severity: medium
title: {zh: 僵尸服务, en: Zombie service}
remediation: {zh: 核实, en: Check}
when: service.version != "" && service.version_age >= 365d
)");
  auto set = rulelang::LoadRuleDir((dir_ / "rules").string());
  ASSERT_TRUE(set.errors.empty()) << set.errors.front().message();
  rules_ = std::move(set.rules);
  const int64_t now = core::NowMillis();
  const std::string old_redis = "redis_version:5.0.7";
  const int64_t first = ScanAt(*store_, "127.0.0.30", now - 400 * kDayMs, now - 400 * kDayMs,
                               old_redis);
  ASSERT_TRUE(Assess(*store_, rules_, Opts(first)).has_value());
  auto findings = store_->ListFindings();
  EXPECT_EQ(FindingOf(*findings, "zombie-test"), nullptr);  // first identified then

  // 400 days later, the same version: a zombie.
  const int64_t second = ScanAt(*store_, "127.0.0.30", now, now, old_redis);
  ASSERT_TRUE(Assess(*store_, rules_, Opts(second)).has_value());
  findings = store_->ListFindings();
  const auto* zombie = FindingOf(*findings, "zombie-test");
  ASSERT_NE(zombie, nullptr);
  EXPECT_EQ(zombie->status, "open");
  EXPECT_EQ(zombie->port, 6379);
  // Reassessing the same scan keeps the age (version_since is not reset).
  auto same = Assess(*store_, rules_, Opts(second));
  ASSERT_TRUE(same.has_value());
  EXPECT_EQ(same->findings_verified, 0u);

  // Upgraded: the age starts again and the zombie finding is verified.
  const int64_t third = ScanAt(*store_, "127.0.0.30", now + 1, now + 1, "redis_version:7.2.4");
  auto upgraded = Assess(*store_, rules_, Opts(third));
  ASSERT_TRUE(upgraded.has_value());
  findings = store_->ListFindings();
  zombie = FindingOf(*findings, "zombie-test");
  ASSERT_NE(zombie, nullptr);
  EXPECT_EQ(zombie->status, "verified");
  auto services = store_->ListServices();
  ASSERT_TRUE(services.has_value());
  EXPECT_EQ(services->front().version, "7.2.4");
}

TEST(VersionAgeTest, KeptWhileProductAndVersionStay) {
  inventory::Service stored;
  stored.product = "Redis";
  stored.version = "5.0.7";
  json facts = {{"service", {{"product", "Redis"}, {"version", "5.0.7"}}}};
  EXPECT_EQ(AddVersionAge(facts, stored, 1000, 1000 + 86400 * 1000LL), 1000);
  EXPECT_EQ(facts["service"]["version_age"], 86400);
  // Unknown before (0): starts now.
  EXPECT_EQ(AddVersionAge(facts, stored, 0, 5000), 5000);
  EXPECT_EQ(facts["service"]["version_age"], 0);
  // Another version or product: starts now.
  facts["service"]["version"] = "6.0.0";
  EXPECT_EQ(AddVersionAge(facts, stored, 1000, 9000), 9000);
  facts["service"]["version"] = "5.0.7";
  facts["service"]["product"] = "KeyDB";
  EXPECT_EQ(AddVersionAge(facts, stored, 1000, 9000), 9000);
  // No version: no facts, nothing stored.
  json none = {{"service", {{"product", "Redis"}, {"version", ""}}}};
  EXPECT_EQ(AddVersionAge(none, stored, 1000, 9000), 0);
  EXPECT_FALSE(none["service"].contains("version_age"));
}

TEST_F(AssessTest, UnknownScanIsAnError) {
  auto stats = Assess(*store_, rules_, Opts(42));
  ASSERT_FALSE(stats.has_value());
  EXPECT_NE(stats.error().message().find("42"), std::string::npos);
}

}  // namespace
}  // namespace ciiscope::assessor
