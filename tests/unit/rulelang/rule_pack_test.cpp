// The shipped rule packs: every file loads, every rule carries positive and
// negative tests, and all of them pass.

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "rulelang/rule.h"

namespace ciiscope::rulelang {
namespace {

const std::string kRulesDir = std::string(CIISCOPE_SOURCE_DIR) + "/rules";

TEST(RulePackTest, LoadsWithoutErrorsAndAllTestsPass) {
  RuleSet set = LoadRuleDir(kRulesDir);
  for (const Error& e : set.errors) ADD_FAILURE() << e.message();
  ASSERT_GE(set.rules.size(), 20u);
  for (const Rule& rule : set.rules) {
    int positive = 0, negative = 0;
    for (const RuleTest& t : rule.tests) (t.expect_match ? positive : negative)++;
    EXPECT_GE(positive, 1) << rule.source.ToString() << ": " << rule.id << " has no positive test";
    EXPECT_GE(negative, 1) << rule.source.ToString() << ": " << rule.id << " has no negative test";
    for (const TestResult& r : RunRuleTests(rule)) {
      EXPECT_TRUE(r.passed) << r.pos.ToString() << ": " << r.rule_id << " / " << r.test_name << ": " << r.message;
    }
  }
}

TEST(RulePackTest, FileNamesMatchIdsAndChecksAreComplete) {
  RuleSet set = LoadRuleDir(kRulesDir);
  int checks = 0, fingerprints = 0;
  for (const Rule& rule : set.rules) {
    EXPECT_EQ(std::filesystem::path(rule.source.file).stem().string(), rule.id) << rule.source.file;
    EXPECT_FALSE(rule.description.zh.empty() || rule.description.en.empty()) << rule.id << " lacks a description";
    if (rule.kind == RuleKind::kCheck) {
      ++checks;
      EXPECT_FALSE(rule.references.empty()) << rule.id << " cites nothing";
    }
    if (rule.kind == RuleKind::kFingerprint) {
      ++fingerprints;
      EXPECT_TRUE(!rule.set.empty() || !rule.extract.empty()) << rule.id << " sets nothing";
    }
  }
  EXPECT_GE(checks, 12);
  EXPECT_GE(fingerprints, 8);
}

// Fingerprints run in load order over one facts document, as the assessor does.
TEST(RulePackTest, FingerprintChainOnRealisticFacts) {
  RuleSet set = LoadRuleDir(kRulesDir);
  auto fingerprint = [&](nlohmann::json facts) {
    for (const Rule& rule : set.rules) {
      if (rule.kind == RuleKind::kFingerprint) ApplyFingerprint(rule, facts);
    }
    return facts["service"];
  };
  auto https = fingerprint(nlohmann::json::parse(R"({
    "service": {"transport": "tcp", "port": 443, "state": "open", "name": "", "product": "", "version": ""},
    "http": {"scheme": "https", "status": 200, "headers": {"server": "nginx/1.18.0"}},
    "tls": {"version": "TLSv1.2", "cert": {"self_signed": false, "days_left": 100}}})"));
  EXPECT_EQ(https["name"], "https");
  EXPECT_EQ(https["product"], "nginx");
  EXPECT_EQ(https["version"], "1.18.0");

  auto ssh = fingerprint(nlohmann::json::parse(R"({
    "service": {"transport": "tcp", "port": 22, "state": "open", "name": ""},
    "banner": "SSH-2.0-OpenSSH_7.4\r\n"})"));
  EXPECT_EQ(ssh["name"], "ssh");
  EXPECT_EQ(ssh["product"], "OpenSSH");
  EXPECT_EQ(ssh["version"], "7.4");
}

}  // namespace
}  // namespace ciiscope::rulelang
