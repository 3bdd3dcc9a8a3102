// ciiscope.yaml: the documented example loads; each class of error gives one
// `file:line:column: message` line.
#include <gtest/gtest.h>

#include <string>

#include "service/config.h"

namespace ciiscope::service {
namespace {

TEST(Config, DocumentedExampleLoads) {
  std::string path = std::string(CIISCOPE_SOURCE_DIR) + "/docs/examples/ciiscope.yaml";
  auto c = LoadConfig(path);
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->database, std::string(CIISCOPE_SOURCE_DIR) + "/docs/examples/ciiscope.db");
  EXPECT_EQ(c->lang, "zh");
  EXPECT_EQ(c->profiles.size(), 2u);
  EXPECT_EQ(c->profiles.at("campus").reports.size(), 2u);
  EXPECT_EQ(c->profiles.at("schools").units.size(), 2u);
  ASSERT_EQ(c->schedules.size(), 2u);
  EXPECT_EQ(c->schedules[0].cadence.tz.name(), "Asia/Shanghai");
  ASSERT_EQ(c->key_periods.size(), 1u);
  const KeyPeriod& k = c->key_periods[0];
  EXPECT_EQ(k.cadence->every_seconds, 1800);
  EXPECT_EQ(k.to - k.from, 6 * 86400);  // 5th 00:00 .. 11th 00:00 local
  EXPECT_EQ(k.sla->at("critical"), 1);
  EXPECT_EQ(k.alert_threshold, "medium");
  EXPECT_EQ(c->sinks.size(), 4u);
  EXPECT_EQ(c->alert_threshold, "high");
  EXPECT_EQ(c->alert_period_seconds, 86400);
  EXPECT_FALSE(c->daemon_syslog);
  EXPECT_EQ(c->sla.at("high"), 7);
  EXPECT_EQ(c->scoring.at("low"), 0.5);
  EXPECT_EQ(c->authorizations.size(), 1u);
  EXPECT_EQ(c->notice_reference_prefix, "JYT");
  EXPECT_EQ(c->notice_reply_days, 15);
  EXPECT_FALSE(c->notice_issuer.empty());
}

TEST(Config, EmptyFileIsAnEmptyConfig) {
  auto c = ParseConfig("", "/w/ciiscope.yaml");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->database.empty());
  EXPECT_EQ(c->sla.at("critical"), 3);
}

TEST(Config, StaleDays) {
  auto unset = ParseConfig("lang: en\n", "/w/ciiscope.yaml");
  ASSERT_TRUE(unset) << unset.error().message();
  EXPECT_FALSE(unset->stale_days.has_value());
  auto off = ParseConfig("stale_days: 0\n", "/w/ciiscope.yaml");
  ASSERT_TRUE(off) << off.error().message();
  EXPECT_EQ(off->stale_days, 0);
  auto ninety = ParseConfig("stale_days: 90\n", "/w/ciiscope.yaml");
  ASSERT_TRUE(ninety) << ninety.error().message();
  EXPECT_EQ(ninety->stale_days, 90);
}

struct BadCase {
  const char* name;
  const char* yaml;
  const char* expect;  // the whole error line starts with this
};

class ConfigErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(ConfigErrors, OneLineWithFileLineColumn) {
  const BadCase& c = GetParam();
  auto r = ParseConfig(c.yaml, "ws/ciiscope.yaml");
  ASSERT_FALSE(r) << c.name;
  const std::string msg = r.error().message();
  EXPECT_TRUE(msg.starts_with(c.expect)) << c.name << ": " << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
}


INSTANTIATE_TEST_SUITE_P(
    Classes, ConfigErrors,
    ::testing::Values(
        BadCase{"syntax", "database: [unclosed\n", "ws/ciiscope.yaml:2:1: "},
        BadCase{"unknown top key", "databse: x.db\n",
                "ws/ciiscope.yaml:1:1: expected a field of the configuration"},
        BadCase{"unknown profile key", "profiles:\n  p:\n    targets: [a]\n    prots: 80\n",
                "ws/ciiscope.yaml:4:5: expected a field of profile 'p'"},
        BadCase{"database type", "database: [a, b]\n",
                "ws/ciiscope.yaml:1:11: expected database to be a string"},
        BadCase{"lang", "lang: fr\n", "ws/ciiscope.yaml:1:7: expected lang zh or en"},
        BadCase{"exclusion", "exclusions: [10.0.0.0/33]\n",
                "ws/ciiscope.yaml:1:14: expected exclusion to be an address, CIDR or range"},
        BadCase{"authorization missing field",
                "authorizations:\n  - {ref: a, issuer: b, scope: [127.0.0.1], from: 2026-01-01}\n",
                "ws/ciiscope.yaml:2:5: expected 'to' in the authorization"},
        BadCase{"authorization date",
                "authorizations:\n  - {ref: a, issuer: b, scope: [x], from: 2026-01-01, to: soon}\n",
                "ws/ciiscope.yaml:2:59: authorization to: expected a date"},
        BadCase{"profile without targets", "profiles:\n  p:\n    ports: 80\n",
                "ws/ciiscope.yaml:3:5: expected targets or units in profile 'p'"},
        BadCase{"ports", "profiles:\n  p:\n    targets: [a]\n    ports: 80,99999\n",
                "ws/ciiscope.yaml:4:12: "},
        BadCase{"engine", "profiles:\n  p:\n    targets: [a]\n    engine: warp\n",
                "ws/ciiscope.yaml:4:13: expected engine connect or syn"},
        BadCase{"report format",
                "profiles:\n  p:\n    targets: [a]\n    reports: [{kind: assessment, format: doc}]\n",
                "ws/ciiscope.yaml:4:42: expected report format"},
        BadCase{"schedule unknown profile", "schedules:\n  - {profile: nope, cron: '* * * * *'}\n",
                "ws/ciiscope.yaml:2:15: schedule names profile 'nope'"},
        BadCase{"cron field", "profiles:\n  p:\n    targets: [a]\nschedules:\n  - profile: p\n    cron: \"0 25 * * *\"\n",
                "ws/ciiscope.yaml:6:14: bad cron expression: hour: '25' is not a number in 0..23"},
        BadCase{"cron fields", "profiles:\n  p:\n    targets: [a]\nschedules:\n  - profile: p\n    cron: \"0 2 *\"\n",
                "ws/ciiscope.yaml:6:12: bad cron expression: a cron expression has 5 fields"},
        BadCase{"time zone", "profiles:\n  p:\n    targets: [a]\nschedules:\n  - {profile: p, cron: '@daily', timezone: Mars/Base}\n",
                "ws/ciiscope.yaml:5:44: unknown time zone 'Mars/Base'"},
        BadCase{"every", "profiles:\n  p:\n    targets: [a]\nschedules:\n  - {profile: p, every: 5 minutes}\n",
                "ws/ciiscope.yaml:5:25: expected schedule 'p'.every like 30s"},
        BadCase{"no cadence", "profiles:\n  p:\n    targets: [a]\nschedules:\n  - {profile: p}\n",
                "ws/ciiscope.yaml:5:5: expected cron or every in schedule 'p'"},
        BadCase{"key period order", "key_periods:\n  - {name: k, from: 2026-06-10, to: 2026-06-01}\n",
                "ws/ciiscope.yaml:2:37: key period 'k' ends before it starts"},
        BadCase{"key period threshold",
                "key_periods:\n  - name: k\n    from: 2026-06-01\n    to: 2026-06-02\n    overrides: {alert_threshold: severe}\n",
                "ws/ciiscope.yaml:5:34: expected alert_threshold to be info, low, medium, high or critical"},
        BadCase{"key period scope", "key_periods:\n  - {name: k, from: 2026-06-01, to: 2026-06-02, scope: [ghost]}\n",
                "ws/ciiscope.yaml:2:57: key period scope names profile 'ghost'"},
        BadCase{"notice key", "notice: {issuer: a, reply: 3}\n",
                "ws/ciiscope.yaml:1:21: expected a field of notice"},
        BadCase{"notice reply days", "notice: {reply_days: 400}\n",
                "ws/ciiscope.yaml:1:22: expected notice.reply_days at most 365"},
        BadCase{"stale_days negative", "stale_days: -1\n",
                "ws/ciiscope.yaml:1:13: expected stale_days to be a number of days from 0 (off) to 36500"},
        BadCase{"stale_days too large", "stale_days: 36501\n", "ws/ciiscope.yaml:1:13: expected stale_days"},
        BadCase{"stale_days text", "stale_days: 30d\n", "ws/ciiscope.yaml:1:13: expected stale_days"},
        BadCase{"stale_days list", "stale_days: [30]\n", "ws/ciiscope.yaml:1:13: expected stale_days"},
        BadCase{"sla severity", "sla: {urgent: 1}\n",
                "ws/ciiscope.yaml:1:7: expected sla key to be info, low, medium, high or critical"},
        BadCase{"sla days", "sla: {high: -2}\n",
                "ws/ciiscope.yaml:1:13: expected sla.high (days) to be a positive integer"},
        BadCase{"sink type", "alerts:\n  sinks: [{type: pager}]\n",
                "ws/ciiscope.yaml:2:18: expected sink type file, webhook, syslog or email"},
        BadCase{"sink key", "alerts:\n  sinks: [{type: file, path: a, url: b}]\n",
                "ws/ciiscope.yaml:2:33: expected a field of file sink"},
        BadCase{"webhook url", "alerts:\n  sinks: [{type: webhook, url: ftp://x}]\n",
                "ws/ciiscope.yaml:2:32: expected an http:// or https:// URL"},
        BadCase{"email missing to", "alerts:\n  sinks: [{type: email, smtp: 'a:25', from: x}]\n",
                "ws/ciiscope.yaml:2:11: expected 'to' in the email sink"},
        BadCase{"alert threshold", "alerts:\n  threshold: severe\n",
                "ws/ciiscope.yaml:2:14: expected alerts.threshold to be info, low, medium, high or critical"},
        BadCase{"alert period", "alerts:\n  period: fortnight\n",
                "ws/ciiscope.yaml:2:11: expected alerts.period like 30s, 15m, 2h or 1d"},
        BadCase{"alert rate", "alerts:\n  rate_per_hour: 0\n",
                "ws/ciiscope.yaml:2:18: expected alerts.rate_per_hour"},
        BadCase{"daemon syslog", "daemon:\n  syslog: maybe\n",
                "ws/ciiscope.yaml:2:11: "},
        BadCase{"daemon key", "daemon:\n  workers: 4\n",
                "ws/ciiscope.yaml:2:3: expected a field of daemon"},
        BadCase{"duplicate key", "lang: zh\nlang: en\n",
                "ws/ciiscope.yaml:2:1: expected each field once"},
        BadCase{"version", "version: 2\n", "ws/ciiscope.yaml:1:10: expected version 1"}),
    [](const ::testing::TestParamInfo<BadCase>& info) {
      std::string n = info.param.name;
      for (char& ch : n) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return n;
    });

}  // namespace
}  // namespace ciiscope::service
