// Alert selection after a job (service/alert_select.h) on a real store: new
// and reopened findings at or above the threshold, once per period, the
// hourly rate limit with one summary for the excess, and failed deliveries
// left for a later job.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "service/alert_select.h"
#include "tests/unit/inventory/store_test_util.h"

namespace ciiscope::service {
namespace {

using inventory::testing::Obs;
using inventory::testing::OpenOrDie;
using inventory::testing::TempDir;

constexpr int64_t kDay0 = 1780000000000;  // 2026-05-28, the middle of a UTC day
constexpr int64_t kHour = 3600000;

struct Sent {
  std::string sink;
  Alert alert;
  std::string lang;
};

class AlertSelectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenOrDie(dir_.File("alerts.db"));
    ASSERT_NE(store_, nullptr);
    config_.lang = "zh";
    config_.alert_threshold = "high";
    config_.alert_rate_per_hour = 60;
    AlertSink file;
    file.type = "file";
    file.path = dir_.File("alerts.jsonl");
    config_.sinks.push_back(file);
  }

  int64_t Scan() { return inventory::testing::NewScan(*store_); }

  // A finding on 10.0.0.2:<port> seen by scan_id.
  inventory::UpsertResult See(int64_t scan_id, uint16_t port, const std::string& severity) {
    EXPECT_TRUE(store_->RecordObservations(scan_id, {Obs("10.0.0.2", port, "port_state", "open")}));
    auto services = store_->ListServices();
    inventory::Finding f;
    for (const auto& s : *services) {
      if (s.port == port) {
        f.asset_id = s.asset_id;
        f.service_id = s.id;
      }
    }
    f.key = "key-" + std::to_string(port);
    f.rule_id = "exposure/port-" + std::to_string(port);
    f.severity = severity;
    f.address = "10.0.0.2";
    f.port = port;
    f.transport = "tcp";
    f.title = {"端口暴露 " + std::to_string(port), "exposed port " + std::to_string(port)};
    auto r = store_->UpsertFinding(f, scan_id, "assessor");
    EXPECT_TRUE(r) << (r ? "" : r.error().message());
    return r ? *r : inventory::UpsertResult{};
  }

  AlertRun Send(int64_t scan_id, int64_t now, const std::string& key_period = "") {
    AlertScope scope{scan_id, "campus", key_period, now, 0};
    auto alerts = SelectAlerts(*store_, config_, scope);
    EXPECT_TRUE(alerts) << (alerts ? "" : alerts.error().message());
    auto run = SendAlerts(*store_, config_, scope, *alerts, [this](const AlertSink& s, const Alert& a, const std::string& lang) {
      sent_.push_back({s.type, a, lang});
      return fail_ ? Status(Error(ErrorCode::kIo, "receiver down")) : Ok();
    });
    EXPECT_TRUE(run) << (run ? "" : run.error().message());
    return run ? *run : AlertRun{};
  }

  TempDir dir_;
  std::unique_ptr<inventory::Store> store_;
  Config config_;
  std::vector<Sent> sent_;
  bool fail_ = false;
};

TEST_F(AlertSelectTest, NewFindingsAtOrAboveTheThresholdAlertMostSevereFirst) {
  const int64_t scan = Scan();
  See(scan, 22, "medium");
  See(scan, 6379, "high");
  See(scan, 3389, "critical");
  AlertRun run = Send(scan, kDay0);
  EXPECT_EQ(run.sent, 2);
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_[0].alert.severity, "critical");
  EXPECT_EQ(sent_[0].alert.target, "10.0.0.2:3389");
  EXPECT_EQ(sent_[0].alert.kind, "new_finding");
  EXPECT_EQ(sent_[0].lang, "zh");
  EXPECT_EQ(sent_[1].alert.severity, "high");
  // Seen again by the next scan: not new, no alert.
  const int64_t again = Scan();
  See(again, 3389, "critical");
  EXPECT_EQ(Send(again, kDay0 + 1000).sent, 0);
}

TEST_F(AlertSelectTest, AKeyPeriodLowersTheThreshold) {
  KeyPeriod k;
  k.name = "gaokao";
  k.alert_threshold = "medium";
  config_.key_periods.push_back(k);
  const int64_t scan = Scan();
  See(scan, 22, "medium");
  AlertRun run = Send(scan, kDay0, "gaokao");
  EXPECT_EQ(run.sent, 1);
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].alert.key_period, "gaokao");
  EXPECT_EQ(AlertPeriod(config_, {scan, "campus", "gaokao", kDay0, 0}), "kp:gaokao");
}

TEST_F(AlertSelectTest, TheSameFindingAlertsOncePerPeriod) {
  const int64_t s1 = Scan();
  auto f = See(s1, 6379, "high");
  EXPECT_EQ(Send(s1, kDay0).sent, 1);
  // Fixed, then back in the same period: reopened, but it already alerted.
  ASSERT_TRUE(store_->SetFindingStatus(f.id, "fixed", "alice", "patched"));
  const int64_t s2 = Scan();
  EXPECT_TRUE(See(s2, 6379, "high").reopened);
  EXPECT_EQ(Send(s2, kDay0 + kHour).sent, 0);
  // Fixed and back again the next day (a new period): alerts as reopened.
  ASSERT_TRUE(store_->SetFindingStatus(f.id, "fixed", "alice", "patched again"));
  const int64_t s3 = Scan();
  EXPECT_TRUE(See(s3, 6379, "high").reopened);
  EXPECT_EQ(Send(s3, kDay0 + 24 * kHour).sent, 1);
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_[1].alert.kind, "reopened_finding");
  EXPECT_NE(AlertPeriod(config_, {s1, "campus", "", kDay0, 0}),
            AlertPeriod(config_, {s3, "campus", "", kDay0 + 24 * kHour, 0}));
}

TEST_F(AlertSelectTest, TheRateLimitSummarisesTheExcessInOneMessage) {
  config_.alert_rate_per_hour = 3;
  const int64_t s1 = Scan();
  for (uint16_t port = 1001; port <= 1005; ++port) See(s1, port, "high");
  AlertRun run = Send(s1, kDay0);
  EXPECT_EQ(run.sent, 3);
  EXPECT_EQ(run.summarised, 2);
  ASSERT_EQ(sent_.size(), 4u);  // three alerts and one summary
  EXPECT_EQ(sent_[3].alert.kind, "alerts_summarised");
  EXPECT_NE(sent_[3].alert.title_en.find("2 more alert(s)"), std::string::npos) << sent_[3].alert.title_en;
  EXPECT_NE(sent_[3].alert.title_zh.find("另有 2 条"), std::string::npos);
  // The summarised ones do not come back later in the period.
  EXPECT_TRUE(*store_->AlertRecorded(AlertPeriod(config_, {s1, "", "", kDay0, 0}), "key-1005"));

  // Within the hour: no room; two more new findings make one summary only.
  sent_.clear();
  const int64_t s2 = Scan();
  See(s2, 2001, "critical");
  See(s2, 2002, "high");
  run = Send(s2, kDay0 + kHour / 2);
  EXPECT_EQ(run.sent, 0);
  EXPECT_EQ(run.summarised, 2);
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].alert.severity, "critical");  // the summary carries the worst

  // An hour after the first burst the limit has room again.
  sent_.clear();
  const int64_t s3 = Scan();
  See(s3, 3001, "high");
  EXPECT_EQ(Send(s3, kDay0 + kHour).sent, 1);
  EXPECT_EQ(sent_.size(), 1u);
}

TEST_F(AlertSelectTest, AFailedDeliveryIsNotRecordedSoALaterJobRetries) {
  const int64_t s1 = Scan();
  See(s1, 6379, "critical");
  fail_ = true;
  AlertRun run = Send(s1, kDay0);
  EXPECT_EQ(run.sent, 0);
  EXPECT_EQ(run.failed, 1);
  ASSERT_EQ(run.errors.size(), 1u);
  EXPECT_NE(run.errors[0].find("receiver down"), std::string::npos);
  fail_ = false;
  EXPECT_EQ(Send(s1, kDay0 + 1000).sent, 1);
}

TEST_F(AlertSelectTest, SinksBelowTheirMinimumSeverityAreSkipped) {
  config_.sinks[0].min_severity = "critical";
  const int64_t s1 = Scan();
  See(s1, 6379, "high");
  AlertRun run = Send(s1, kDay0);
  EXPECT_EQ(run.sent, 1);  // no sink takes it: not a failure, recorded as handled
  EXPECT_TRUE(sent_.empty());
}

TEST_F(AlertSelectTest, TheRealFileSinkGetsOneJsonLinePerAlert) {
  const int64_t s1 = Scan();
  See(s1, 6379, "high");
  AlertScope scope{s1, "campus", "", kDay0, 0};
  auto alerts = SelectAlerts(*store_, config_, scope);
  ASSERT_TRUE(alerts);
  auto run = SendAlerts(*store_, config_, scope, *alerts);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->sent, 1);
  const std::string text = inventory::testing::ReadBytes(dir_.File("alerts.jsonl"));
  EXPECT_NE(text.find("\"target\":\"10.0.0.2:6379\""), std::string::npos) << text;
  EXPECT_NE(text.find("高危"), std::string::npos) << text;
}

}  // namespace
}  // namespace ciiscope::service
