// A simulated week with an injected clock: every firing time of two
// schedules (one in Asia/Shanghai, one in UTC), a key period that switches
// one of them to its own cadence with a baseline run at its start, and
// catch-up after downtime that runs a missed job once.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/clock.h"
#include "service/scheduler.h"

namespace ciiscope::service {
namespace {

constexpr const char* kYaml = R"(
profiles:
  campus: {targets: [127.77.0.0/24]}
  schools: {targets: [127.77.1.0/24]}
schedules:
  - {name: nightly, profile: campus, cron: "30 2 * * *", timezone: Asia/Shanghai}
  - {name: halfday, profile: schools, cron: "0 */12 * * *"}
key_periods:
  - name: kp
    from: 2026-06-03T00:00
    to: 2026-06-04T12:00
    timezone: Asia/Shanghai
    scope: [campus]
    overrides: {every: 6h, alert_threshold: medium}
)";

int64_t Utc(const char* text) {
  auto t = ParseLocalDateTime(text, TimeZone::Utc());
  EXPECT_TRUE(t) << text;
  return t ? *t * 1000 : 0;
}

Scheduler Make() {
  auto c = ParseConfig(kYaml, "sim.yaml");
  EXPECT_TRUE(c) << c.error().message();
  return Scheduler(c ? *c : Config{});
}

std::string Describe(const DueJob& j) {
  std::string s = j.schedule + " " + core::FormatIsoTime(j.due_ms);
  if (!j.key_period.empty()) s += " kp";
  if (j.baseline) s += " baseline";
  if (j.catch_up) s += " catch-up(+" + std::to_string(j.missed) + ")";
  return s;
}

// Ticks every minute over [from, to] and returns the jobs in order.
std::vector<std::string> Tick(const Scheduler& s, std::map<std::string, int64_t>& last,
                             int64_t from, int64_t to) {
  std::vector<std::string> fired;
  for (int64_t now = from; now <= to; now += 60000) {
    for (const auto& j : s.Due(now, last)) fired.push_back(Describe(j));
  }
  return fired;
}

TEST(Scheduler, SimulatedWeekWithAKeyPeriod) {
  Scheduler s = Make();
  std::map<std::string, int64_t> last;
  auto fired = Tick(s, last, Utc("2026-06-01T00:00"), Utc("2026-06-07T23:59"));
  std::vector<std::string> nightly, halfday;
  for (const auto& f : fired) (f.starts_with("nightly") ? nightly : halfday).push_back(f);
  EXPECT_EQ(nightly, (std::vector<std::string>{
                         "nightly 2026-06-01T18:30:00Z",           // 02:30 Shanghai
                         "nightly 2026-06-02T16:00:00Z kp baseline",  // key period starts 00:00 Shanghai
                         "nightly 2026-06-02T18:00:00Z kp",        // every 6h inside the window
                         "nightly 2026-06-03T00:00:00Z kp",
                         "nightly 2026-06-03T06:00:00Z kp",
                         "nightly 2026-06-03T12:00:00Z kp",
                         "nightly 2026-06-03T18:00:00Z kp",
                         "nightly 2026-06-04T00:00:00Z kp",
                         "nightly 2026-06-04T18:30:00Z",           // window over (04:00Z)
                         "nightly 2026-06-05T18:30:00Z",
                         "nightly 2026-06-06T18:30:00Z",
                         "nightly 2026-06-07T18:30:00Z",
                     }));
  // The key period's scope is campus only: schools keep their cadence.
  ASSERT_EQ(halfday.size(), 13u);
  EXPECT_EQ(halfday.front(), "halfday 2026-06-01T12:00:00Z");
  EXPECT_EQ(halfday[3], "halfday 2026-06-03T00:00:00Z");
  EXPECT_EQ(halfday.back(), "halfday 2026-06-07T12:00:00Z");
}

TEST(Scheduler, DowntimeRunsAMissedJobOnce) {
  Scheduler s = Make();
  std::map<std::string, int64_t> last;
  Tick(s, last, Utc("2026-06-04T12:00"), Utc("2026-06-05T00:00"));
  // Down from 00:00 on the 5th until 06:00 on the 7th.
  auto after = Tick(s, last, Utc("2026-06-07T06:00"), Utc("2026-06-07T23:59"));
  EXPECT_EQ(after, (std::vector<std::string>{
                       "nightly 2026-06-05T18:30:00Z catch-up(+1)",  // 2 missed → 1 job
                       "halfday 2026-06-05T12:00:00Z catch-up(+3)",  // 4 missed → 1 job
                       "halfday 2026-06-07T12:00:00Z",
                       "nightly 2026-06-07T18:30:00Z",
                   }));
}

TEST(Scheduler, KeyPeriodStartingDuringDowntimeGivesABaselineRun) {
  Scheduler s = Make();
  std::map<std::string, int64_t> last;
  Tick(s, last, Utc("2026-06-02T00:00"), Utc("2026-06-02T12:00"));
  auto after = s.Due(Utc("2026-06-03T01:00"), last);
  ASSERT_EQ(after.size(), 2u);
  const DueJob& j = after[0].schedule == "nightly" ? after[0] : after[1];
  EXPECT_TRUE(j.catch_up);
  EXPECT_TRUE(j.baseline);
  EXPECT_EQ(j.key_period, "kp");
  EXPECT_EQ(j.due_ms, Utc("2026-06-02T16:00"));
  EXPECT_EQ(s.Due(Utc("2026-06-03T01:01"), last).size(), 0u);  // nothing twice
}

TEST(Scheduler, NextWakeAndActiveKeyPeriod) {
  Scheduler s = Make();
  EXPECT_EQ(s.NextWake(Utc("2026-06-01T00:00")), Utc("2026-06-01T12:00"));
  EXPECT_NE(s.ActiveKeyPeriod("campus", Utc("2026-06-03T00:00")), nullptr);
  EXPECT_EQ(s.ActiveKeyPeriod("schools", Utc("2026-06-03T00:00")), nullptr);
  EXPECT_EQ(s.ActiveKeyPeriod("campus", Utc("2026-06-04T04:00")), nullptr);  // [from, to)
}

TEST(Scheduler, EverySecondForTests) {
  auto c = ParseConfig("profiles: {p: {targets: [127.0.0.1]}}\nschedules: [{profile: p, every: 1s}]\n",
                       "t.yaml");
  ASSERT_TRUE(c) << c.error().message();
  Scheduler s(*c);
  std::map<std::string, int64_t> last;
  int jobs = 0;
  for (int64_t now = 1000000; now <= 1005000; now += 250) jobs += static_cast<int>(s.Due(now, last).size());
  EXPECT_EQ(jobs, 5);
}

}  // namespace
}  // namespace ciiscope::service
