// Key periods against a real SQLite store: due dates from the SLA table and
// the key-period override, baseline, delta, alerts once per period; the spot
// check pick (deterministic, measurably weighted toward the look-back list);
// the look-back list from reopened and overdue findings.
#include <gtest/gtest.h>

#include <set>

#include "core/clock.h"
#include "inventory/store/store.h"
#include "service/config.h"
#include "service/keyperiod.h"
#include "service/lookback.h"
#include "service/spotcheck.h"
#include "tests/unit/inventory/store_test_util.h"

namespace ciiscope::service {
namespace {

using inventory::testing::Obs;
using inventory::testing::OpenOrDie;
using inventory::testing::TempDir;

constexpr int64_t kDay = 24LL * 3600 * 1000;

const char* kConfig = R"(
sla: {critical: 2, high: 10}
profiles:
  campus: {targets: [10.1.0.0/24]}
  other: {targets: [10.9.0.0/24]}
key_periods:
  - name: gaokao
    from: 2026-06-05
    to: 2026-06-10
    scope: [campus]
    overrides: {sla: {high: 1}, alert_threshold: high}
)";

Config Parsed(const char* text = kConfig) {
  auto c = ParseConfig(text, "/w/ciiscope.yaml");
  EXPECT_TRUE(c) << (c ? "" : c.error().message());
  return c ? *c : Config{};
}

int64_t Inside(const Config& c) { return PeriodFromMs(c.key_periods.at(0)) + kDay; }

TEST(DuePolicy, KeyPeriodOverrideTightensInWindowAndScopeOnly) {
  Config c = Parsed();
  DuePolicy due(c, {});
  const int64_t in = Inside(c);
  const int64_t before = PeriodFromMs(c.key_periods[0]) - kDay;
  const int64_t after = PeriodToMs(c.key_periods[0]);
  EXPECT_EQ(due.DueAt("high", "10.1.0.5", in), in + 1 * kDay);        // override
  EXPECT_EQ(due.DueAt("high", "10.2.0.5", in), in + 10 * kDay);       // out of scope
  EXPECT_EQ(due.DueAt("high", "10.1.0.5", before), before + 10 * kDay);  // before the window
  EXPECT_EQ(due.DueAt("high", "10.1.0.5", after), after + 10 * kDay);    // `to` is exclusive
  EXPECT_EQ(due.DueAt("critical", "10.1.0.5", in), in + 2 * kDay);    // not overridden
  EXPECT_EQ(due.DueAt("medium", "10.1.0.5", in), in + 30 * kDay);     // default kept
  EXPECT_EQ(due.DueAt("bogus", "10.1.0.5", in), 0);
}

TEST(DuePolicy, ScopeThroughUnitsRanges) {
  Config c = Parsed(R"(
profiles:
  schools: {units: [SCH-1]}
key_periods:
  - {name: k, from: 2026-06-05, to: 2026-06-10, scope: [schools], overrides: {sla: {critical: 1}}}
)");
  inventory::Unit u;
  u.code = "SCH-1";
  u.cidrs = {"10.7.0.0/16"};
  DuePolicy due(c, {u});
  const int64_t in = Inside(c);
  EXPECT_EQ(due.DueAt("critical", "10.7.3.4", in), in + kDay);
  EXPECT_EQ(due.DueAt("critical", "10.8.3.4", in), in + 3 * kDay);
}

class KeyPeriodStore : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenOrDie(dir_.File(std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".db"));
    ASSERT_NE(store_, nullptr);
    scan_ = inventory::testing::NewScan(*store_);
    config_ = Parsed();
  }

  inventory::Service Open(const std::string& address, uint16_t port) {
    EXPECT_TRUE(store_->RecordObservations(scan_, {Obs(address, port, "port_state", "open")}));
    auto services = store_->ListServices();
    for (const auto& s : *services) {
      if (s.address == address && s.port == port) services_.push_back(s);
    }
    return services_.back();
  }

  int64_t Find(const inventory::Service& s, const std::string& key, const std::string& severity) {
    inventory::Finding f;
    f.key = key;
    f.rule_id = "rule-" + key;
    f.severity = severity;
    f.asset_id = s.asset_id;
    f.service_id = s.id;
    f.address = s.address;
    f.port = s.port;
    f.transport = s.transport;
    f.title = {"标题 " + key, "title " + key};
    auto r = store_->UpsertFinding(f, scan_, "test");
    EXPECT_TRUE(r) << (r ? "" : r.error().message());
    return r ? r->id : 0;
  }

  TempDir dir_;
  std::unique_ptr<inventory::Store> store_;
  int64_t scan_ = 0;
  Config config_;
  std::vector<inventory::Service> services_;
};

TEST_F(KeyPeriodStore, BaselineDeltaAndAlertsOncePerPeriod) {
  const auto ssh = Open("10.1.0.5", 22);
  Open("10.2.0.5", 22);  // out of scope
  const int64_t old_finding = Find(ssh, "old", "high");
  const int64_t now = Inside(config_);

  // Nothing alerts before a baseline: the first call takes it.
  auto first = KeyPeriodAlerts(*store_, config_, now);
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_TRUE(first->empty());
  auto baseline = store_->LatestKeyPeriodBaseline("gaokao", PeriodFromMs(config_.key_periods[0]));
  ASSERT_TRUE(baseline && *baseline);
  auto items = store_->KeyPeriodItems((*baseline)->id);
  ASSERT_TRUE(items);
  ASSERT_EQ(items->size(), 2u);  // 10.1.0.5:22 and its finding; 10.2.0.5 is out of scope
  EXPECT_EQ((*baseline)->scope, std::vector<std::string>{"10.1.0.0/24"});

  const auto redis = Open("10.1.0.6", 6379);
  Find(redis, "redis", "critical");
  Find(redis, "minor", "low");  // below the period's threshold (high)
  Open("10.2.0.9", 80);         // out of scope
  ASSERT_TRUE(store_->SetAssetUnit(redis.asset_id, 0, "shadow"));
  ASSERT_TRUE(store_->SetFindingStatus(old_finding, "verified", "test", "gone"));

  auto d = ComputeDelta(*store_, config_, config_.key_periods[0], **baseline);
  ASSERT_TRUE(d) << d.error().message();
  ASSERT_EQ(d->new_services.size(), 1u);
  EXPECT_EQ(d->new_services[0].key, "10.1.0.6|tcp|6379");
  ASSERT_EQ(d->new_findings.size(), 1u);
  EXPECT_EQ(d->new_findings[0].severity, "critical");
  ASSERT_EQ(d->new_shadow.size(), 1u);
  EXPECT_EQ(d->new_shadow[0].key, "10.1.0.6");
  ASSERT_EQ(d->closed.size(), 1u);
  EXPECT_EQ(d->closed[0].kind, "finding");

  auto alerts = KeyPeriodAlerts(*store_, config_, now + 1000);
  ASSERT_TRUE(alerts) << alerts.error().message();
  ASSERT_EQ(alerts->size(), 3u);
  std::set<std::string> kinds;
  for (const auto& a : *alerts) {
    kinds.insert(a.kind);
    EXPECT_EQ(a.key_period, "gaokao");
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"new_service", "new_finding", "new_shadow_asset"}));
  for (const auto& a : *alerts) {
    if (a.kind != "new_finding") continue;
    EXPECT_NE(AlertText(a, "zh").find("重保期 gaokao"), std::string::npos) << AlertText(a, "zh");
    EXPECT_NE(AlertText(a, "zh").find("标题 redis"), std::string::npos);
    EXPECT_NE(AlertText(a, "en").find("title redis"), std::string::npos) << AlertText(a, "en");
    EXPECT_NE(AlertText(a, "en").find("10.1.0.6:6379"), std::string::npos);
  }
  // Each item once per period.
  auto again = KeyPeriodAlerts(*store_, config_, now + 2000);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty());
  // Outside the window nothing is active.
  auto later = KeyPeriodAlerts(*store_, config_, PeriodToMs(config_.key_periods[0]) + 1);
  ASSERT_TRUE(later);
  EXPECT_TRUE(later->empty());
}

TEST_F(KeyPeriodStore, EnsureBaselinesOnlyInsideTheWindowAndOnce) {
  Open("10.1.0.5", 22);
  const int64_t from = PeriodFromMs(config_.key_periods[0]);
  auto before = EnsureBaselines(*store_, config_, from - 1, "t");
  ASSERT_TRUE(before);
  EXPECT_TRUE(before->empty());
  auto at = EnsureBaselines(*store_, config_, from, "t");
  ASSERT_TRUE(at);
  EXPECT_EQ(*at, std::vector<std::string>{"gaokao"});
  auto again = EnsureBaselines(*store_, config_, from + kDay, "t");
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty());
}

TEST_F(KeyPeriodStore, LookbackListsUnitsWithReopenedOrOverdueFindings) {
  inventory::Unit a, b, c;
  a.code = "A";
  a.name = "a";
  a.level = "school";
  a.cidrs = {"10.1.0.0/24"};
  b = a;
  b.code = "B";
  b.cidrs = {"10.2.0.0/24"};
  c = a;
  c.code = "C";
  c.cidrs = {"10.3.0.0/24"};
  ASSERT_TRUE(store_->ImportUnits({a, b, c}));
  auto units = store_->ListUnits();
  const auto s1 = Open("10.1.0.5", 22);
  const auto s2 = Open("10.2.0.5", 22);
  const auto s3 = Open("10.3.0.5", 22);
  for (const auto& u : *units) {
    for (const auto& s : services_) {
      if (s.address.starts_with(u.cidrs[0].substr(0, 7))) {
        ASSERT_TRUE(store_->SetAssetUnit(s.asset_id, u.id, "registered"));
      }
    }
  }
  const int64_t now = core::NowMillis();
  // A: a finding fixed and matched again (reopened); B: overdue; C: neither.
  int64_t fa = Find(s1, "fa", "high");
  ASSERT_TRUE(store_->SetFindingStatus(fa, "fixed", "t", "unit says"));
  ASSERT_TRUE(store_->SetFindingStatus(fa, "verified", "t", "rescan"));
  Find(s1, "fa", "high");  // matched again → reopened
  int64_t fb = Find(s2, "fb", "medium");
  ASSERT_TRUE(store_->SetFindingDue(fb, now - kDay));
  int64_t fc = Find(s3, "fc", "medium");
  ASSERT_TRUE(store_->SetFindingDue(fc, now + kDay));

  auto list = RefreshLookback(*store_, now);
  ASSERT_TRUE(list) << list.error().message();
  ASSERT_EQ(list->size(), 2u);
  std::set<std::string> codes;
  for (const auto& u : *list) codes.insert(u.code);
  EXPECT_EQ(codes, (std::set<std::string>{"A", "B"}));
  // A reopen older than the window does not count.
  auto narrow = RefreshLookback(*store_, now + 100 * kDay, 1);
  ASSERT_TRUE(narrow);
  for (const auto& u : *narrow) EXPECT_EQ(u.reopened, 0) << u.code;
}

TEST(SpotCheckPick, DeterministicForASeed) {
  std::vector<SpotCandidate> c;
  for (int i = 0; i < 12; ++i) c.push_back({"U" + std::to_string(i), i % 4 == 0});
  EXPECT_EQ(PickSpotCheck(c, 3, 42), PickSpotCheck(c, 3, 42));
  std::set<std::vector<size_t>> distinct;
  for (uint64_t seed = 1; seed <= 20; ++seed) distinct.insert(PickSpotCheck(c, 3, seed));
  EXPECT_GT(distinct.size(), 10u);
  auto all = PickSpotCheck(c, 50, 7);
  EXPECT_EQ(all.size(), c.size());
  EXPECT_EQ(std::set<size_t>(all.begin(), all.end()).size(), c.size());  // no repeats
}

TEST(SpotCheckPick, LookbackUnitsArePickedMoreOftenByTheWeight) {
  // 10 units, 2 on the look-back list; pick 2 over 4000 seeds.
  std::vector<SpotCandidate> c;
  for (int i = 0; i < 10; ++i) c.push_back({"U" + std::to_string(i), i == 3 || i == 7});
  auto rates = [&](double weight) {
    double lookback = 0, other = 0;
    constexpr int kRuns = 4000;
    for (uint64_t seed = 0; seed < kRuns; ++seed) {
      for (size_t i : PickSpotCheck(c, 2, seed, weight)) (c[i].lookback ? lookback : other) += 1;
    }
    return std::pair{lookback / (2.0 * kRuns), other / (8.0 * kRuns)};  // per unit, per run
  };
  auto [lb4, other4] = rates(4.0);
  // Exact inclusion probabilities for weight 4 (weights 4,4 and 8 × 1):
  // look-back 4/16 + 4/16·4/12 + 8/16·4/15 = 0.467, other (2 − 2·0.467)/8 = 0.133.
  EXPECT_NEAR(lb4, 0.467, 0.03);
  EXPECT_NEAR(other4, 0.133, 0.015);
  EXPECT_GT(lb4 / other4, 2.5);
  auto [lb1, other1] = rates(1.0);
  EXPECT_NEAR(lb1, 0.2, 0.03);  // no weighting: every unit 2/10
  EXPECT_NEAR(other1, 0.2, 0.02);
}

}  // namespace
}  // namespace ciiscope::service
