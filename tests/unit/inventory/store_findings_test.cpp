// Findings: dedupe by key, lifecycle across scans, the event trail.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "inventory/store/store.h"
#include "store_test_util.h"

namespace ciiscope::inventory {
namespace {

using testing::Obs;
using testing::OpenOrDie;
using testing::RawDb;
using testing::TempDir;

class StoreFindingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("findings.db");
    store_ = OpenOrDie(path_);
    ASSERT_NE(store_, nullptr);
    scan_ = testing::NewScan(*store_);
    ASSERT_TRUE(store_->RecordObservations(
        scan_, {Obs("10.0.0.2", 6379, "port_state", "open"), Obs("10.0.0.2", 22, "banner")}));
    auto services = store_->ListServices();
    ASSERT_TRUE(services && services->size() == 2u);
    ssh_ = (*services)[0];
    redis_ = (*services)[1];
  }

  Finding Make(const std::string& key, const Service& service, const std::string& severity) {
    Finding f;
    f.key = key;
    f.rule_id = "exposure/redis-no-auth";
    f.severity = severity;
    f.asset_id = service.asset_id;
    f.service_id = service.id;
    f.address = service.address;
    f.port = service.port;
    f.transport = service.transport;
    f.title = {"Redis 未授权访问", "Redis without authentication"};
    f.remediation = {"启用认证", "Enable requirepass"};
    f.references = {"GB/T 28448-2019 L3-CES1-18", "CNVD-2015-07557"};
    f.detail_json = R"({"probe":"redis-info"})";
    f.evidence_ids = {1, 2};
    return f;
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
  int64_t scan_ = 0;
  Service ssh_;
  Service redis_;
};

TEST_F(StoreFindingsTest, UpsertTwiceIsOneRow) {
  Finding f = Make("key-redis", redis_, "high");
  auto first = store_->UpsertFinding(f, scan_, "assessor");
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_TRUE(first->created);
  EXPECT_FALSE(first->reopened);

  int64_t scan2 = testing::NewScan(*store_);
  f.severity = "critical";
  f.evidence_ids = {7};
  f.title.en = "Redis open to the campus";
  auto second = store_->UpsertFinding(f, scan2, "assessor");
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->created);
  EXPECT_FALSE(second->reopened);
  EXPECT_EQ(second->id, first->id);

  auto findings = store_->ListFindings();
  ASSERT_TRUE(findings);
  ASSERT_EQ(findings->size(), 1u);
  const Finding& got = (*findings)[0];
  EXPECT_EQ(got.status, "open");
  EXPECT_EQ(got.severity, "critical");
  EXPECT_EQ(got.title.zh, "Redis 未授权访问");
  EXPECT_EQ(got.title.en, "Redis open to the campus");
  EXPECT_EQ(got.references, f.references);
  EXPECT_EQ(got.evidence_ids, std::vector<int64_t>{7});
  EXPECT_EQ(got.first_seen_scan, scan_);
  EXPECT_EQ(got.last_seen_scan, scan2);
  EXPECT_EQ(got.port, 6379);
  EXPECT_EQ(got.service_id, redis_.id);
  EXPECT_EQ(got.detail_json, R"({"probe":"redis-info"})");

  auto events = store_->FindingEvents(first->id);
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].from_status, "");
  EXPECT_EQ((*events)[0].to_status, "open");
  EXPECT_EQ((*events)[0].actor, "assessor");
  EXPECT_EQ((*events)[0].reason, "created");
  EXPECT_GT((*events)[0].time, 0);

  RawDb raw(path_);
  EXPECT_EQ(raw.Int("SELECT COUNT(*) FROM findings"), 1);

  Finding no_key = f;
  no_key.key.clear();
  auto rejected = store_->UpsertFinding(no_key, scan_, "assessor");
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(StoreFindingsTest, VerifyNotSeenThenReopenAcrossReopen) {
  auto redis = store_->UpsertFinding(Make("key-redis", redis_, "high"), scan_, "assessor");
  auto ssh = store_->UpsertFinding(Make("key-ssh", ssh_, "medium"), scan_, "assessor");
  ASSERT_TRUE(redis && ssh);

  int64_t scan2 = testing::NewScan(*store_);
  // Rescan: the ssh finding still matches, the redis one does not.
  auto changed =
      store_->VerifyNotSeen(scan2, {redis_.id, ssh_.id}, {"key-ssh"}, "assessor");
  ASSERT_TRUE(changed) << changed.error().message();
  EXPECT_EQ(*changed, 1);
  EXPECT_EQ((*store_->GetFinding(redis->id))->status, "verified");
  EXPECT_EQ((*store_->GetFinding(ssh->id))->status, "open");
  // Already verified: nothing more to do.
  EXPECT_EQ(*store_->VerifyNotSeen(scan2, {redis_.id}, {}, "assessor"), 0);

  // The lifecycle survives closing and reopening the database.
  store_.reset();
  store_ = OpenOrDie(path_);
  ASSERT_NE(store_, nullptr);
  EXPECT_EQ((*store_->GetFinding(redis->id))->status, "verified");

  int64_t scan3 = testing::NewScan(*store_);
  auto again = store_->UpsertFinding(Make("key-redis", redis_, "high"), scan3, "assessor");
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->created);
  EXPECT_TRUE(again->reopened);
  EXPECT_EQ(again->id, redis->id);
  EXPECT_EQ((*store_->GetFinding(redis->id))->status, "reopened");
  // Matching again while reopened is not another reopen.
  auto still = store_->UpsertFinding(Make("key-redis", redis_, "high"), scan3, "assessor");
  ASSERT_TRUE(still);
  EXPECT_FALSE(still->reopened);

  auto events = store_->FindingEvents(redis->id);
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[1].from_status, "open");
  EXPECT_EQ((*events)[1].to_status, "verified");
  EXPECT_EQ((*events)[1].reason, "not seen in scan " + std::to_string(scan2));
  EXPECT_EQ((*events)[2].from_status, "verified");
  EXPECT_EQ((*events)[2].to_status, "reopened");
  EXPECT_EQ((*events)[2].reason, "matched again in scan " + std::to_string(scan3));
  EXPECT_EQ(store_->ListFindings()->size(), 2u);
}

TEST_F(StoreFindingsTest, VerifyNotSeenLeavesAcceptedAndOtherServicesAlone) {
  auto accepted = store_->UpsertFinding(Make("key-accepted", redis_, "low"), scan_, "a");
  auto other = store_->UpsertFinding(Make("key-other", ssh_, "low"), scan_, "a");
  ASSERT_TRUE(accepted && other);
  ASSERT_TRUE(store_->SetFindingStatus(accepted->id, "accepted", "alice", "compensating control"));
  auto changed = store_->VerifyNotSeen(scan_, {redis_.id}, {}, "assessor");
  ASSERT_TRUE(changed);
  EXPECT_EQ(*changed, 0);
  EXPECT_EQ((*store_->GetFinding(accepted->id))->status, "accepted");
  EXPECT_EQ((*store_->GetFinding(other->id))->status, "open");
}

TEST_F(StoreFindingsTest, AReopenedFindingIsDueAgainFromTheNewMatch) {
  Finding first = Make("key-due", redis_, "high");
  first.due_at = 1000;
  auto f = store_->UpsertFinding(first, scan_, "assessor");
  ASSERT_TRUE(f);
  Finding persisting = first;
  persisting.due_at = 3000;  // a match while open keeps the due date
  ASSERT_TRUE(store_->UpsertFinding(persisting, scan_, "assessor"));
  EXPECT_EQ((*store_->GetFinding(f->id))->due_at, 1000);
  ASSERT_TRUE(store_->SetFindingStatus(f->id, "fixed", "bob", "patched"));
  Finding again = first;
  again.due_at = 9000;
  auto reopened = store_->UpsertFinding(again, scan_, "assessor");
  ASSERT_TRUE(reopened);
  EXPECT_TRUE(reopened->reopened);
  EXPECT_EQ((*store_->GetFinding(f->id))->due_at, 9000);
  // A match without a due date (none computed) keeps the old one.
  ASSERT_TRUE(store_->SetFindingStatus(f->id, "fixed", "bob", "patched again"));
  again.due_at = 0;
  ASSERT_TRUE(store_->UpsertFinding(again, scan_, "assessor"));
  EXPECT_EQ((*store_->GetFinding(f->id))->due_at, 9000);
}

TEST_F(StoreFindingsTest, FixedThenMatchedAgainIsReopened) {
  auto f = store_->UpsertFinding(Make("key-fix", redis_, "high"), scan_, "assessor");
  ASSERT_TRUE(f);
  ASSERT_TRUE(store_->SetFindingStatus(f->id, "acknowledged", "bob", "on it"));
  ASSERT_TRUE(store_->SetFindingStatus(f->id, "fixed", "bob", "requirepass set"));
  ASSERT_TRUE(store_->SetFindingStatus(f->id, "fixed", "bob", "again"));  // no-op
  auto again = store_->UpsertFinding(Make("key-fix", redis_, "high"), scan_, "assessor");
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->reopened);
  auto events = store_->FindingEvents(f->id);
  ASSERT_TRUE(events);
  std::vector<std::string> trail;
  for (const auto& e : *events) trail.push_back(e.actor + ":" + e.from_status + ">" + e.to_status);
  EXPECT_EQ(trail, (std::vector<std::string>{"assessor:>open", "bob:open>acknowledged",
                                             "bob:acknowledged>fixed",
                                             "assessor:fixed>reopened"}));
  Status bad = store_->SetFindingStatus(f->id, "solved", "bob", "");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
  Status missing = store_->SetFindingStatus(4040, "closed", "bob", "");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
}

TEST_F(StoreFindingsTest, AssignKeepsAssigneeAcrossUpserts) {
  auto f = store_->UpsertFinding(Make("key-assign", redis_, "high"), scan_, "assessor");
  ASSERT_TRUE(f);
  ASSERT_TRUE(store_->AssignFinding(f->id, "network-team", "alice"));
  Finding update = Make("key-assign", redis_, "high");
  update.assignee = "someone-else";
  update.due_at = 123456;
  ASSERT_TRUE(store_->UpsertFinding(update, scan_, "assessor"));
  auto got = store_->GetFinding(f->id);
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->assignee, "network-team");
  EXPECT_EQ((*got)->due_at, 123456);  // was unset, so taken
  auto events = store_->FindingEvents(f->id);
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[1].reason, "assigned to network-team");
  EXPECT_EQ((*events)[1].from_status, (*events)[1].to_status);
}

TEST_F(StoreFindingsTest, ListFindingsFilters) {
  int64_t scan2 = testing::NewScan(*store_);
  ASSERT_TRUE(store_->UpsertFinding(Make("k-info", ssh_, "info"), scan_, "a"));
  ASSERT_TRUE(store_->UpsertFinding(Make("k-med", ssh_, "medium"), scan2, "a"));
  auto crit = store_->UpsertFinding(Make("k-crit", redis_, "critical"), scan2, "a");
  ASSERT_TRUE(crit);
  ASSERT_TRUE(store_->SetFindingStatus(crit->id, "false_positive", "a", "lab box"));

  auto all = store_->ListFindings();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].key, "k-crit");  // most severe first
  EXPECT_EQ((*all)[2].key, "k-info");

  FindingFilter medium_up;
  medium_up.min_severity = "medium";
  EXPECT_EQ(store_->ListFindings(medium_up)->size(), 2u);

  FindingFilter in_scan2;
  in_scan2.scan_id = scan2;
  in_scan2.statuses = {"open", "reopened"};
  auto open2 = store_->ListFindings(in_scan2);
  ASSERT_TRUE(open2);
  ASSERT_EQ(open2->size(), 1u);
  EXPECT_EQ((*open2)[0].key, "k-med");

  FindingFilter bad;
  bad.min_severity = "urgent";
  auto rejected = store_->ListFindings(bad);
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(StoreFindingsTest, HostileTextRoundTrips) {
  Finding f = Make("k'; DROP TABLE findings; --", redis_, "high");
  f.title.en = "bad \xff\xfe utf8 'quote' \"dq\"";
  f.detail_json = std::string("{\"x\":\"a\0b\"}", 12);
  auto up = store_->UpsertFinding(f, scan_, "actor'--");
  ASSERT_TRUE(up);
  auto got = store_->GetFinding(up->id);
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->key, f.key);
  EXPECT_EQ((*got)->title.en, f.title.en);
  EXPECT_EQ((*got)->detail_json, f.detail_json);
  EXPECT_EQ((*store_->FindingEvents(up->id))[0].actor, "actor'--");
}

}  // namespace
}  // namespace ciiscope::inventory
