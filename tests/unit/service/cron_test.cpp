// Cron parsing and next-firing times in UTC, fixed offsets and a tz database zone.
#include <gtest/gtest.h>

#include "service/cron.h"
#include "service/tz.h"

namespace ciiscope::service {
namespace {

int64_t At(const char* text, const TimeZone& tz = TimeZone::Utc()) {
  auto t = ParseLocalDateTime(text, tz);
  EXPECT_TRUE(t) << text;
  return t ? *t * 1000 : 0;
}

CronSpec Cron(const char* text) {
  auto c = ParseCron(text);
  EXPECT_TRUE(c) << text << ": " << (c ? "" : c.error().message());
  return c ? *c : CronSpec{};
}

TEST(Cron, FieldsRangesStepsListsNames) {
  CronSpec c = Cron("*/15 8-18/2 * JAN,mar-May mon-FRI");
  EXPECT_TRUE(c.minutes.test(0) && c.minutes.test(15) && c.minutes.test(45));
  EXPECT_FALSE(c.minutes.test(5));
  EXPECT_TRUE(c.hours.test(8) && c.hours.test(10) && c.hours.test(18));
  EXPECT_FALSE(c.hours.test(9) || c.hours.test(20));
  EXPECT_TRUE(c.months.test(1) && c.months.test(3) && c.months.test(5));
  EXPECT_FALSE(c.months.test(2) || c.months.test(6));
  EXPECT_TRUE(c.weekdays.test(1) && c.weekdays.test(5));
  EXPECT_FALSE(c.weekdays.test(0) || c.weekdays.test(6));
  CronSpec sunday = Cron("0 0 * * 7");
  EXPECT_TRUE(sunday.weekdays.test(0));
  CronSpec stepped = Cron("5/20 * * * *");
  EXPECT_TRUE(stepped.minutes.test(5) && stepped.minutes.test(25) && stepped.minutes.test(45));
  EXPECT_FALSE(stepped.minutes.test(0));
  EXPECT_TRUE(Cron("*/2 * * * * *").has_seconds);
  EXPECT_EQ(Cron("@daily").minutes.count(), 1u);
}

TEST(Cron, ErrorsNameTheFieldAndItsOffset) {
  size_t offset = 99;
  auto bad = ParseCron("0 25 * * *", &offset);
  ASSERT_FALSE(bad);
  EXPECT_EQ(offset, 2u);
  EXPECT_NE(bad.error().message().find("hour: '25' is not a number in 0..23"), std::string::npos);
  auto names = ParseCron("0 0 * FOO *", &offset);
  ASSERT_FALSE(names);
  EXPECT_EQ(offset, 6u);
  EXPECT_NE(names.error().message().find("unknown name 'FOO'"), std::string::npos);
  EXPECT_FALSE(ParseCron("0 0 *"));
  EXPECT_FALSE(ParseCron("1 2 3 4 5 6 7"));
  EXPECT_FALSE(ParseCron("10-5 * * * *"));
  EXPECT_FALSE(ParseCron("*/0 * * * *"));
  EXPECT_FALSE(ParseCron("1,,2 * * * *"));
  EXPECT_FALSE(ParseCron("@sometimes"));
}

TEST(Cron, NextInUtc) {
  CronSpec c = Cron("30 2 * * *");
  EXPECT_EQ(c.Next(At("2026-06-01T00:00"), TimeZone::Utc()), At("2026-06-01T02:30"));
  EXPECT_EQ(c.Next(At("2026-06-01T02:30"), TimeZone::Utc()), At("2026-06-02T02:30"));
  // Day-of-month or day-of-week when both are restricted (Vixie cron).
  CronSpec either = Cron("0 0 13 * FRI");
  EXPECT_EQ(either.Next(At("2026-11-01"), TimeZone::Utc()), At("2026-11-06"));  // a Friday
  EXPECT_EQ(either.Next(At("2026-11-10"), TimeZone::Utc()), At("2026-11-13"));
  EXPECT_EQ(Cron("0 0 30 2 *").Next(At("2026-01-01"), TimeZone::Utc()), 0);  // never
  CronSpec secs = Cron("*/5 * * * * *");
  EXPECT_EQ(secs.Next(At("2026-01-01T00:00:03"), TimeZone::Utc()), At("2026-01-01T00:00:05"));
}

TEST(Cron, NextInShanghaiAndFixedOffsets) {
  auto sh = TimeZone::Parse("Asia/Shanghai");
  ASSERT_TRUE(sh) << sh.error().message();
  CronSpec c = Cron("0 9 * * MON");
  // 09:00 Shanghai on Monday 2026-06-01 is 01:00 UTC.
  EXPECT_EQ(c.Next(At("2026-05-31T12:00"), *sh), At("2026-06-01T01:00"));
  auto plus8 = TimeZone::Parse("+08:00");
  ASSERT_TRUE(plus8);
  EXPECT_EQ(c.Next(At("2026-05-31T12:00"), *plus8), At("2026-06-01T01:00"));
  auto india = TimeZone::Parse("UTC+05:30");
  ASSERT_TRUE(india);
  EXPECT_EQ(Cron("0 0 * * *").Next(At("2026-06-01T00:00"), *india), At("2026-06-01T18:30"));
  EXPECT_EQ(At("2026-06-01T09:00", *sh), At("2026-06-01T01:00"));
}

TEST(Cron, DaylightSavingZoneFromTheSystemDatabase) {
  auto berlin = TimeZone::Parse("Europe/Berlin");
  ASSERT_TRUE(berlin);
  CronSpec c = Cron("0 3 * * *");
  // 03:00 CET (UTC+1) in winter, CEST (UTC+2) in summer.
  EXPECT_EQ(c.Next(At("2026-01-10"), *berlin), At("2026-01-10T02:00"));
  EXPECT_EQ(c.Next(At("2026-07-10"), *berlin), At("2026-07-10T01:00"));
}

TEST(TimeZoneTest, RejectsUnknownAndUnsafeNames) {
  EXPECT_FALSE(TimeZone::Parse("Mars/Olympus_Mons"));
  EXPECT_FALSE(TimeZone::Parse("../../etc/passwd"));
  EXPECT_FALSE(TimeZone::Parse("+25:00"));
  EXPECT_FALSE(ParseLocalDateTime("2026-13-01", TimeZone::Utc()));
  EXPECT_FALSE(ParseLocalDateTime("yesterday", TimeZone::Utc()));
}

}  // namespace
}  // namespace ciiscope::service
