#include <gtest/gtest.h>

#include "rulelang/rule.h"

namespace ciiscope::rulelang {
namespace {

using nlohmann::json;

constexpr const char* kSshRule = R"(id: ssh-test
kind: fingerprint
title: {zh: SSH 服务, en: SSH service}
when: banner startswith "SSH-"
set: {service.name: ssh, service.tunnel: 0, service.secure: true}
extract:
  - target: service.product
    from: banner
    regex: '^SSH-[\d.]+-([A-Za-z]+)_'
  - target: service.version
    from: banner
    regex: '^SSH-[\d.]+-OpenSSH_([\w.]+)'
tests:
  - name: openssh
    match: true
    facts: {banner: "SSH-2.0-OpenSSH_7.4\r\n"}
    expect: {service.name: ssh, service.product: OpenSSH, service.version: "7.4", service.tunnel: 0}
  - name: deliberately wrong expectation
    match: true
    facts: {banner: "SSH-2.0-OpenSSH_8.0\r\n"}
    expect: {service.version: "7.4"}
  - name: not ssh
    match: false
    facts: {banner: "220 ftp ready"}
)";

TEST(FingerprintTest, AppliesSetThenExtract) {
  auto rule = ParseRule(kSshRule, "ssh-test.yaml");
  ASSERT_TRUE(rule.has_value()) << rule.error().message();
  json facts = {{"banner", "SSH-2.0-OpenSSH_7.4p1 Debian-10+deb9u7\r\n"}, {"service", {{"port", 22}}}};
  EXPECT_TRUE(ApplyFingerprint(*rule, facts));
  EXPECT_EQ(facts["service"]["name"], "ssh");
  EXPECT_EQ(facts["service"]["product"], "OpenSSH");
  EXPECT_EQ(facts["service"]["version"], "7.4p1");
  EXPECT_EQ(facts["service"]["port"], 22);
  EXPECT_EQ(facts["service"]["secure"], true);

  json other = {{"banner", "HTTP/1.0 200 OK"}};
  json before = other;
  EXPECT_FALSE(ApplyFingerprint(*rule, other));
  EXPECT_EQ(other, before);  // no match, no change
}

TEST(FingerprintTest, ExtractLeavesTargetWhenNoCapture) {
  auto rule = ParseRule(kSshRule, "ssh-test.yaml");
  ASSERT_TRUE(rule.has_value());
  json facts = {{"banner", "SSH-2.0-dropbear_2019.78"}, {"service", {{"version", "old"}}}};
  EXPECT_TRUE(ApplyFingerprint(*rule, facts));
  EXPECT_EQ(facts["service"]["product"], "dropbear");
  EXPECT_EQ(facts["service"]["version"], "old");
}

TEST(FingerprintTest, RunRuleTestsReportsFailures) {
  auto rule = ParseRule(kSshRule, "ssh-test.yaml");
  ASSERT_TRUE(rule.has_value());
  auto results = RunRuleTests(*rule);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].passed) << results[0].message;
  EXPECT_FALSE(results[1].passed);
  EXPECT_EQ(results[1].message, R"(service.version: expected "7.4", got "8.0")");
  EXPECT_EQ(results[1].pos.ToString(), "ssh-test.yaml:18:5");
  EXPECT_EQ(results[1].rule_id, "ssh-test");
  EXPECT_TRUE(results[2].passed) << results[2].message;
}

TEST(FingerprintTest, MatchMismatchMessage) {
  auto rule = ParseRule(R"(id: x
kind: identify
title: {zh: 甲, en: A}
when: service.port == 1
set: {asset.role: other, asset.criticality: low}
tests:
  - {name: wrong, match: true, facts: {service: {port: 2}}}
)", "x.yaml");
  ASSERT_TRUE(rule.has_value()) << rule.error().message();
  auto results = RunRuleTests(*rule);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_FALSE(results[0].passed);
  EXPECT_EQ(results[0].message, "expected a match, got no match");
}

TEST(FieldTest, SetAndGetDottedPaths) {
  json facts = json::object();
  EXPECT_TRUE(SetField(facts, "service.name", "ssh"));
  EXPECT_TRUE(SetField(facts, "asset.cii.candidate", true));
  EXPECT_EQ(*GetField(facts, "service.name"), "ssh");
  EXPECT_EQ(*GetField(facts, "asset.cii.candidate"), true);
  EXPECT_EQ(GetField(facts, "service.product"), nullptr);
  EXPECT_FALSE(SetField(facts, "service.name.sub", 1));  // intermediate is a string
  EXPECT_FALSE(SetField(facts, "bad..path", 1));
  EXPECT_TRUE(IsValidFieldPath("probe.redis-info"));
  EXPECT_FALSE(IsValidFieldPath("1abc"));
  EXPECT_FALSE(IsValidFieldPath(""));
}

TEST(ExtractionTest, CompileValidates) {
  EXPECT_FALSE(Extraction::Compile("service version", "banner", "(x)", {}).has_value());
  EXPECT_FALSE(Extraction::Compile("service.version", "banner ==", "(x)", {}).has_value());
  EXPECT_FALSE(Extraction::Compile("service.version", "banner", "x", {}).has_value());
  auto e = Extraction::Compile("service.version", R"(probe["redis-info"].text)", R"(redis_version:([\d.]+))", {});
  ASSERT_TRUE(e.has_value()) << e.error().message();
  json facts = {{"probe", {{"redis-info", {{"text", "# Server\r\nredis_version:5.0.7\r\n"}}}}}};
  EXPECT_TRUE(e->Apply(facts));
  EXPECT_EQ(facts["service"]["version"], "5.0.7");
}

}  // namespace
}  // namespace ciiscope::rulelang
