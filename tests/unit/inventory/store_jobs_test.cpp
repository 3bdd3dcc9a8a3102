// The daemon's tables (migration 0006): job rows, orphaned running jobs,
// schedule state across reopen, sent alerts per period.
#include <gtest/gtest.h>

#include "store_test_util.h"

namespace ciiscope::inventory {
namespace {

using testing::OpenOrDie;
using testing::TempDir;

Job MakeJob(const std::string& schedule, int64_t pid) {
  Job j;
  j.schedule = schedule;
  j.profile = "campus";
  j.scope = "127.0.0.0/24";
  j.scheduled_for = 1000;
  j.started_at = 1500;
  j.runner_pid = pid;
  j.runner_start = 7;
  return j;
}

TEST(StoreJobsTest, CreateFinishListNewestFirst) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("jobs.db"));
  ASSERT_NE(store, nullptr);
  const int64_t scan = testing::NewScan(*store);
  auto a = store->CreateJob(MakeJob("nightly", 1));
  auto b = store->CreateJob(MakeJob("hourly", 1));
  ASSERT_TRUE(a && b);
  Job done = MakeJob("nightly", 1);
  done.id = *a;
  done.outcome = "done";
  done.ended_at = 2500;
  done.scan_id = scan;
  done.findings_new = 4;
  done.alerts_sent = 2;
  ASSERT_TRUE(store->FinishJob(done));
  auto list = store->ListJobs(10);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, *b);
  EXPECT_EQ((*list)[0].outcome, "running");
  EXPECT_EQ((*list)[0].scan_id, 0);
  EXPECT_EQ((*list)[1].outcome, "done");
  EXPECT_EQ((*list)[1].scan_id, scan);
  EXPECT_EQ((*list)[1].findings_new, 4);
  EXPECT_EQ((*list)[1].ended_at, 2500);
  EXPECT_EQ(store->ListJobs(1)->size(), 1u);
  Job missing = done;
  missing.id = 999;
  EXPECT_FALSE(store->FinishJob(missing));
}

TEST(StoreJobsTest, RunningJobsOfADeadRunnerBecomeInterrupted) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("orphans.db"));
  ASSERT_NE(store, nullptr);
  auto dead = store->CreateJob(MakeJob("a", 111));
  auto alive = store->CreateJob(MakeJob("b", 222));
  ASSERT_TRUE(dead && alive);
  auto closed = store->CloseOrphanJobs([](int64_t pid, int64_t) { return pid == 222; }, "daemon died", 9000);
  ASSERT_TRUE(closed);
  EXPECT_EQ(*closed, 1);
  auto j = store->GetJob(*dead);
  ASSERT_TRUE(j && *j);
  EXPECT_EQ((*j)->outcome, "interrupted");
  EXPECT_EQ((*j)->error, "daemon died");
  EXPECT_EQ((*j)->ended_at, 9000);
  EXPECT_EQ((*store->GetJob(*alive))->outcome, "running");
}

TEST(StoreJobsTest, ScheduleStateSurvivesReopening) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  {
    auto store = OpenOrDie(path);
    ASSERT_TRUE(store->SaveScheduleState({{"nightly", 100}, {"hourly", 200}}));
    ASSERT_TRUE(store->SaveScheduleState({{"nightly", 300}}));
  }
  auto store = OpenOrDie(path);
  auto state = store->LoadScheduleState();
  ASSERT_TRUE(state);
  ASSERT_EQ(state->size(), 2u);
  EXPECT_EQ((*state)[0], (std::pair<std::string, int64_t>("hourly", 200)));
  EXPECT_EQ((*state)[1], (std::pair<std::string, int64_t>("nightly", 300)));
}

TEST(StoreJobsTest, SentAlertsArePerPeriodAndCountedForTheRateLimit) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("sent.db"));
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->RecordAlert({"k1", "p1", 1000, "new_finding", "high", "10.0.0.1:22", 0, "sent"}));
  ASSERT_TRUE(store->RecordAlert({"k2", "p1", 2000, "new_finding", "high", "10.0.0.1:23", 0, "summarised"}));
  ASSERT_TRUE(store->RecordAlert({"k1", "p2", 3000, "new_finding", "high", "10.0.0.1:22", 0, "sent"}));
  EXPECT_TRUE(*store->AlertRecorded("p1", "k1"));
  EXPECT_TRUE(*store->AlertRecorded("p1", "k2"));
  EXPECT_FALSE(*store->AlertRecorded("p3", "k1"));
  EXPECT_EQ(*store->CountAlertsSentSince(0), 2);  // summarised ones do not count
  EXPECT_EQ(*store->CountAlertsSentSince(1500), 1);
  // Recording the same key and period again updates the row (no duplicate).
  ASSERT_TRUE(store->RecordAlert({"k1", "p1", 4000, "new_finding", "high", "10.0.0.1:22", 0, "sent"}));
  EXPECT_EQ(*store->CountAlertsSentSince(0), 2);
  EXPECT_EQ(*store->CountAlertsSentSince(3500), 1);
}

}  // namespace
}  // namespace ciiscope::inventory
