#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <cstdlib>
#include <regex>

#include "rulelang/rule.h"

namespace ciiscope::rulelang {
namespace {

constexpr const char* kGoodRule = R"(id: telnet-test
kind: check
version: 2
severity: high
title: {zh: 开放 Telnet 服务, en: Telnet exposed}
description:
  zh: 说明
  en: Description
remediation: {zh: 关闭 Telnet, en: Disable Telnet}
tags: [exposure, plaintext]
references: ["GB/T 28448-2019 L3-CES1-18"]
when: |
  service.port == 23 &&
  service.name == "telnet"
tests:
  - name: telnet open
    match: true
    facts: {service: {port: 23, name: telnet}}
  - name: ssh
    match: false
    facts: {service: {port: 22, name: "ssh"}}
)";

TEST(RuleLoaderTest, LoadsAFullRule) {
  auto rule = ParseRule(kGoodRule, "rules/x/telnet-test.yaml");
  ASSERT_TRUE(rule.has_value()) << rule.error().message();
  EXPECT_EQ(rule->id, "telnet-test");
  EXPECT_EQ(rule->kind, RuleKind::kCheck);
  EXPECT_EQ(RuleKindName(rule->kind), "check");
  EXPECT_EQ(rule->version, 2);
  EXPECT_EQ(rule->severity, "high");
  EXPECT_EQ(rule->title.zh, "开放 Telnet 服务");
  EXPECT_EQ(rule->remediation.en, "Disable Telnet");
  EXPECT_EQ(rule->tags, (std::vector<std::string>{"exposure", "plaintext"}));
  EXPECT_EQ(rule->references.at(0), "GB/T 28448-2019 L3-CES1-18");
  EXPECT_EQ(rule->source.ToString(), "rules/x/telnet-test.yaml:1:1");
  ASSERT_EQ(rule->tests.size(), 2u);
  EXPECT_EQ(rule->tests[0].pos.line, 16);
  EXPECT_EQ(rule->tests[0].facts["service"]["port"], 23);  // plain scalars are typed
  EXPECT_EQ(rule->tests[1].facts["service"]["name"], "ssh");
  for (const TestResult& r : RunRuleTests(*rule)) EXPECT_TRUE(r.passed) << r.test_name << ": " << r.message;
}

struct LoadErrorCase {
  const char* name;
  std::string yaml;
  const char* prefix;
  const char* needle;
};

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

class RuleLoadErrorTest : public ::testing::TestWithParam<LoadErrorCase> {};

TEST_P(RuleLoadErrorTest, NamesFileLineColumn) {
  const LoadErrorCase& c = GetParam();
  auto rule = ParseRule(c.yaml, "bad.yaml");
  ASSERT_FALSE(rule.has_value()) << c.name;
  EXPECT_EQ(rule.error().code(), ErrorCode::kParse);
  EXPECT_TRUE(rule.error().message().starts_with(c.prefix)) << c.name << ": " << rule.error().message();
  EXPECT_NE(rule.error().message().find(c.needle), std::string::npos) << c.name << ": " << rule.error().message();
}

INSTANTIATE_TEST_SUITE_P(
    Errors, RuleLoadErrorTest,
    ::testing::Values(
        LoadErrorCase{"syntax", Replace(kGoodRule, "tags: [exposure, plaintext]", "tags: [exposure, plaintext"),
                      "bad.yaml:", "expected valid YAML"},
        LoadErrorCase{"syntax_position", "id: a\nkind: check\ntitle: {zh: a, en: b\n", "bad.yaml:4:1: ",
                      "expected valid YAML"},
        LoadErrorCase{"unknown_field", Replace(kGoodRule, "tags:", "tagz:"), "bad.yaml:10:1: ",
                      "unknown field 'tagz'"},
        LoadErrorCase{"missing_title_en", Replace(kGoodRule, ", en: Telnet exposed}", "}"), "bad.yaml:5:8: ",
                      "expected 'en' (English text) in title"},
        LoadErrorCase{"unknown_title_lang", Replace(kGoodRule, "en: Telnet exposed", "fr: Telnet"),
                      "bad.yaml:5:35: ", "unknown field 'fr'"},
        LoadErrorCase{"bad_regex_in_when", Replace(kGoodRule, "service.name == \"telnet\"", "banner =~ \"(ab\""),
                      "bad.yaml:14:13: ", "expected a valid RE2 regex"},
        LoadErrorCase{"bad_expression_line2", Replace(kGoodRule, "service.name == \"telnet\"", "service.name ==="),
                      "bad.yaml:14:18: ", "expected"},
        LoadErrorCase{"inline_when", Replace(kGoodRule, "when: |\n  service.port == 23 &&\n  service.name == \"telnet\"",
                                             "when: service.port == 23 &&& x"),
                      "bad.yaml:12:28: ", "expected"},
        LoadErrorCase{"quoted_when", Replace(kGoodRule, "when: |\n  service.port == 23 &&\n  service.name == \"telnet\"",
                                             "when: 'service.port =< 23'"),
                      "bad.yaml:12:21: ", "expected"},
        LoadErrorCase{"bad_extract_regex",
                      Replace(kGoodRule, "tests:", "extract:\n  - target: service.version\n    from: banner\n    regex: \"(x\"\ntests:"),
                      "bad.yaml:18:12: ", "expected a valid RE2 regex"},
        LoadErrorCase{"extract_without_group",
                      Replace(kGoodRule, "tests:", "extract:\n  - {target: service.version, from: banner, regex: x}\ntests:"),
                      "bad.yaml:16:52: ", "capture group"},
        LoadErrorCase{"missing_severity", Replace(kGoodRule, "severity: high\n", ""), "bad.yaml:1:1: ",
                      "'severity'"},
        LoadErrorCase{"bad_severity", Replace(kGoodRule, "severity: high", "severity: severe"), "bad.yaml:4:11: ",
                      "expected severity info"},
        LoadErrorCase{"missing_when", Replace(kGoodRule, "when: |", "whem: |"), "bad.yaml:12:1: ", "unknown field"},
        LoadErrorCase{"bad_kind", Replace(kGoodRule, "kind: check", "kind: vuln"), "bad.yaml:2:7: ",
                      "expected kind fingerprint"},
        LoadErrorCase{"tags_not_list", Replace(kGoodRule, "tags: [exposure, plaintext]", "tags: exposure"),
                      "bad.yaml:10:7: ", "list of strings"},
        LoadErrorCase{"version_text", Replace(kGoodRule, "version: 2", "version: two"), "bad.yaml:3:10: ",
                      "positive integer"},
        LoadErrorCase{"match_not_bool", Replace(kGoodRule, "match: true", "match: yes please"), "bad.yaml:17:12: ",
                      "true or false"},
        LoadErrorCase{"test_unknown_key", Replace(kGoodRule, "match: false", "matches: false"), "bad.yaml:20:5: ",
                      "unknown field 'matches'"},
        LoadErrorCase{"set_bad_path", Replace(kGoodRule, "tests:", "set: {\"service name\": x}\ntests:"),
                      "bad.yaml:15:7: ", "dotted field path"},
        LoadErrorCase{"duplicate_key", Replace(kGoodRule, "version: 2", "id: again"), "bad.yaml:3:1: ",
                      "'id' again"},
        LoadErrorCase{"two_documents", std::string(kGoodRule) + "---\nid: b\n", "bad.yaml:", "one rule per file"},
        LoadErrorCase{"not_a_mapping", "- a\n- b\n", "bad.yaml:1:1: ", "expected a mapping"},
        LoadErrorCase{"empty", "", "bad.yaml:1:1: ", "empty file"},
        LoadErrorCase{"bad_id", Replace(kGoodRule, "id: telnet-test", "id: \"../etc\""), "bad.yaml:1:5: ",
                      "expected id"}));

TEST(RuleLoaderTest, MissingFileIsAnIoError) {
  auto rule = LoadRuleFile("/nonexistent/rule.yaml");
  ASSERT_FALSE(rule.has_value());
  EXPECT_EQ(rule.error().code(), ErrorCode::kIo);
  EXPECT_TRUE(rule.error().message().starts_with("/nonexistent/rule.yaml:1:1: ")) << rule.error().message();
}

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("rulelang_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string Write(const std::string& rel, const std::string& content) const {
    auto p = path_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

TEST(RuleLoaderTest, OversizedFileIsRejected) {
  TempDir dir;
  std::string file = dir.Write("big.yaml", std::string(kGoodRule) + "# " + std::string(kMaxRuleFileBytes, 'x') + "\n");
  auto rule = LoadRuleFile(file);
  ASSERT_FALSE(rule.has_value());
  EXPECT_TRUE(rule.error().message().starts_with(file + ":1:1: expected a rule file of at most"))
      << rule.error().message();
}

TEST(RuleDirTest, LoadsSortedSkipsBadFilesAndDuplicates) {
  TempDir dir;
  dir.Write("b/telnet-test.yaml", kGoodRule);
  dir.Write("a/other.yml", Replace(kGoodRule, "id: telnet-test", "id: other"));
  dir.Write("c/dup.yaml", kGoodRule);
  std::string bad = dir.Write("c/broken.yaml", "id: [\n");
  dir.Write("c/readme.txt", "not a rule");
  dir.Write(".hidden/x.yaml", "garbage: [");
  RuleSet set = LoadRuleDir(dir.path());
  ASSERT_EQ(set.rules.size(), 2u);
  EXPECT_EQ(set.rules[0].id, "other");
  EXPECT_EQ(set.rules[1].id, "telnet-test");
  ASSERT_EQ(set.errors.size(), 2u);
  EXPECT_TRUE(set.errors[0].message().starts_with(bad + ":")) << set.errors[0].message();
  EXPECT_NE(set.errors[1].message().find("expected a unique rule id, got 'telnet-test' again"), std::string::npos)
      << set.errors[1].message();
}

TEST(RuleDirTest, MissingDirectoryIsAnError) {
  RuleSet set = LoadRuleDir("/nonexistent/rules");
  EXPECT_TRUE(set.rules.empty());
  ASSERT_EQ(set.errors.size(), 1u);
  EXPECT_EQ(set.errors[0].code(), ErrorCode::kNotFound);
}

// The shared corpora: $CIISCOPE_SHARED_DIR when set (a work tree whose
// parent has no shared/), else the checkout's ../shared.
std::filesystem::path SharedDir() {
  if (const char* env = std::getenv("CIISCOPE_SHARED_DIR"); env && *env) return env;
  return CIISCOPE_SHARED_DIR;
}

// "file:line:col: expected …" with positive line and column.
bool IsPositioned(const std::string& message, const std::string& file) {
  static const std::regex kShape(R"(^:([1-9][0-9]*):([1-9][0-9]*): expected .+)");
  return message.starts_with(file) && std::regex_match(message.substr(file.size()), kShape);
}

// Hostile and odd YAML (yaml-test-suite) must give a rule or a clean error;
// every file of invalid/ must be refused with a file:line:col message.
TEST(RuleLoaderCorpusTest, SharedYamlCorpusNeverCrashes) {
  const std::filesystem::path corpus = SharedDir() / "corpora" / "yaml";
  if (!std::filesystem::is_directory(corpus)) GTEST_SKIP() << "no corpus at " << corpus;
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(corpus)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    std::vector<Error> all;
    auto rule = LoadRuleFile(entry.path().string(), &all);
    if (!rule.has_value()) {
      EXPECT_TRUE(IsPositioned(rule.error().message(), entry.path().string())) << rule.error().message();
      EXPECT_FALSE(all.empty());
      for (const Error& e : all) EXPECT_TRUE(IsPositioned(e.message(), entry.path().string())) << e.message();
    }
  }
  EXPECT_GT(files, 300);
}

TEST(RuleLoaderCorpusTest, EveryInvalidYamlFileIsRefusedWithAPosition) {
  const std::filesystem::path invalid = SharedDir() / "corpora" / "yaml" / "invalid";
  if (!std::filesystem::is_directory(invalid)) GTEST_SKIP() << "no corpus at " << invalid;
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(invalid)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    const std::string path = entry.path().string();
    auto rule = LoadRuleFile(path);
    ASSERT_FALSE(rule.has_value()) << path << " was accepted as a rule";
    EXPECT_EQ(rule.error().code(), ErrorCode::kParse) << rule.error().message();
    EXPECT_TRUE(IsPositioned(rule.error().message(), path)) << rule.error().message();
  }
  EXPECT_GT(files, 50);
}

TEST(RuleLoaderTest, ReportsEveryErrorOfAFile) {
  std::string yaml = Replace(kGoodRule, "tags:", "tagz:");
  yaml = Replace(yaml, ", en: Telnet exposed}", "}");
  yaml = Replace(yaml, "service.name == \"telnet\"", "banner =~ \"(ab\"");
  yaml = Replace(yaml, "version: 2", "version: [2]");
  std::vector<Error> all;
  auto rule = ParseRule(yaml, "multi.yaml", &all);
  ASSERT_FALSE(rule.has_value());
  ASSERT_EQ(all.size(), 4u);
  EXPECT_TRUE(all[0].message().starts_with("multi.yaml:3:10: ")) << all[0].message();  // version type
  EXPECT_NE(all[0].message().find("positive integer"), std::string::npos);
  EXPECT_TRUE(all[1].message().starts_with("multi.yaml:5:8: ")) << all[1].message();   // title.en
  EXPECT_NE(all[1].message().find("'en'"), std::string::npos);
  EXPECT_TRUE(all[2].message().starts_with("multi.yaml:10:1: ")) << all[2].message();  // tagz
  EXPECT_NE(all[2].message().find("unknown field 'tagz'"), std::string::npos);
  EXPECT_TRUE(all[3].message().starts_with("multi.yaml:14:13: ")) << all[3].message();  // regex
  EXPECT_NE(all[3].message().find("RE2"), std::string::npos);
  EXPECT_EQ(rule.error().message(), all[0].message());
}

TEST(RuleLoaderTest, MissingRemediationTextOfACheckIsReported) {
  std::vector<Error> all;
  auto rule = ParseRule(Replace(kGoodRule, "{zh: 关闭 Telnet, en: Disable Telnet}", "{en: Disable Telnet}"),
                        "r.yaml", &all);
  ASSERT_FALSE(rule.has_value());
  ASSERT_EQ(all.size(), 1u);
  EXPECT_TRUE(all[0].message().starts_with("r.yaml:9:14: expected 'zh' (Chinese text) in remediation"))
      << all[0].message();
}

TEST(RuleLoaderTest, AliasExpansionIsCapped) {
  // Billion laughs: 9 levels of 10 aliases each expand to 10^9 nodes.
  std::string yaml = std::string(kGoodRule) + "collect:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 9; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    yaml += "  a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) yaml += (k ? ", " : "") + prev;
    yaml += "]\n";
  }
  auto rule = ParseRule(yaml, "lol.yaml");
  ASSERT_FALSE(rule.has_value());
  EXPECT_TRUE(IsPositioned(rule.error().message(), "lol.yaml")) << rule.error().message();
  EXPECT_NE(rule.error().message().find("after alias expansion"), std::string::npos) << rule.error().message();
}

TEST(RuleLoaderTest, NestingDepthIsCapped) {
  std::string deep = std::string(kGoodRule) + "collect: " + std::string(200, '[') + std::string(200, ']') + "\n";
  auto rule = ParseRule(deep, "deep.yaml");
  ASSERT_FALSE(rule.has_value());
  EXPECT_TRUE(IsPositioned(rule.error().message(), "deep.yaml")) << rule.error().message();
  EXPECT_NE(rule.error().message().find("levels of nesting"), std::string::npos) << rule.error().message();
  // Far deeper than yaml-cpp's own guard: still an error, never a crash.
  std::string deeper = "collect: " + std::string(100000, '[') + "\n";
  auto again = ParseRule(deeper, "deeper.yaml");
  ASSERT_FALSE(again.has_value());
  EXPECT_TRUE(IsPositioned(again.error().message(), "deeper.yaml")) << again.error().message();
}

TEST(RuleDirTest, SkipsScoringAndProfileData) {
  TempDir dir;
  dir.Write("checks/telnet-test.yaml", kGoodRule);
  dir.Write("scoring/weights.yaml", "weights: {critical: 10}\n");
  dir.Write("profiles/mlps-level3.yaml", "profile: mlps3\nitems: []\n");
  dir.Write("checks/profiles/x.yaml", Replace(kGoodRule, "id: telnet-test", "id: nested-profiles-is-a-rule"));
  RuleSet set = LoadRuleDir(dir.path());
  EXPECT_TRUE(set.errors.empty()) << set.errors.front().message();
  ASSERT_EQ(set.rules.size(), 2u);
  EXPECT_EQ(set.rules[0].id, "nested-profiles-is-a-rule");
  EXPECT_EQ(set.rules[1].id, "telnet-test");
}

}  // namespace
}  // namespace ciiscope::rulelang
