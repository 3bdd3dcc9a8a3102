#pragma once
// Rules: one YAML file each (format in docs/rules.md), loaded and compiled up
// front; every load error is Error(kParse) starting with "file:line:col: ".
// A loaded Rule is immutable and safe to share between threads.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "rulelang/expression.h"
#include "rulelang/source_pos.h"

namespace ciiscope::rulelang {

struct Text {
  std::string zh;
  std::string en;
};

enum class RuleKind { kFingerprint, kIdentify, kCheck };
std::string_view RuleKindName(RuleKind kind);  // "fingerprint" | "identify" | "check"

namespace internal {
struct CompiledExtraction;
}  // namespace internal

// extract: capture group 1 of `pattern` applied to the string at field path
// `from` is written (as a string) to the dotted field `target`.
struct Extraction {
  std::string target;   // e.g. "service.version"
  std::string from;     // a field path, e.g. "banner" or `http.headers["server"]`
  std::string pattern;  // RE2, at least one capture group

  // Validates and compiles; errors are positioned at `at`.
  static Result<Extraction> Compile(std::string target, std::string from, std::string pattern,
                                    const SourcePos& at);
  // Writes the capture into facts when `from` is a string and the pattern
  // matches with a non-empty group 1. Returns whether it wrote. Never throws.
  bool Apply(nlohmann::json& facts) const;

 private:
  std::shared_ptr<const internal::CompiledExtraction> compiled_;
};

// What an identify rule concludes about the asset a matching service runs
// on, read from its `set:` (docs/rules.md "identify"):
//   asset.role: one of kAssetRoles            (required)
//   asset.criticality: low | medium | high     (required)
//   asset.cii: true | false                    (CII candidate; default false)
//   asset.data: "student-records, identity"    (kDataTags; default none)
struct Identity {
  std::string role;
  std::string criticality;
  bool cii_candidate = false;
  std::vector<std::string> data_tags;
};
inline constexpr std::string_view kAssetRoles[] = {
    "identity-sso", "portal",  "academic-affairs", "admissions-exams", "finance",
    "campus-card",  "mail",    "dns",              "vpn",              "database",
    "video-surveillance", "oa", "website-group",  "website",          "library",
    "hr",           "research", "network-device",  "virtualization",   "storage",
    "devops",       "monitoring", "middleware",    "remote-access",    "other"};
inline constexpr std::string_view kDataTags[] = {
    "student-records", "staff-records", "identity", "finance", "exam",
    "personal-info",   "research",      "mail",     "video",   "health"};
// 0 for "", 1 low, 2 medium, 3 high.
int CriticalityRank(std::string_view criticality);

struct RuleTest {
  std::string name;
  bool expect_match = true;
  nlohmann::json facts = nlohmann::json::object();
  // Dotted field path → value expected in facts after ApplyFingerprint,
  // e.g. {"service.product": "OpenSSH"}.
  nlohmann::json expect = nlohmann::json::object();
  SourcePos pos;
};

struct Rule {
  std::string id;
  RuleKind kind = RuleKind::kCheck;
  int version = 1;
  std::string severity;  // info|low|medium|high|critical (required for check rules)
  Text title, description, remediation;
  std::vector<std::string> tags, references;
  Expression when;
  nlohmann::json set = nlohmann::json::object();  // dotted path → literal, assigned on match
  std::vector<Extraction> extract;
  nlohmann::json collect;  // optional, normalized by rulelang/collect.h: extra evidence the scanner gathers
  std::vector<RuleTest> tests;
  Identity identity;  // identify rules only
  SourcePos source;  // the file, line 1 column 1
};

// Limits enforced by the loader.
inline constexpr size_t kMaxRuleFileBytes = 256 * 1024;
inline constexpr int kMaxYamlDepth = 48;         // nesting levels in a rule file
inline constexpr size_t kMaxYamlNodes = 200000;  // nodes visited, aliases expanded

// On failure the first error is returned; with `all_errors` every error the
// loader could find in the file (unknown fields, type errors, bad regexes,
// missing bilingual text, …) is appended there too, in file order.
Result<Rule> LoadRuleFile(const std::string& path, std::vector<Error>* all_errors = nullptr);
// Parses rule YAML held in memory; `path` is only used in messages.
Result<Rule> ParseRule(std::string_view yaml, const std::string& path,
                       std::vector<Error>* all_errors = nullptr);

struct RuleSet {
  std::vector<Rule> rules;
  std::vector<Error> errors;
};
// Loads every *.yaml / *.yml below `dir` (recursively, sorted by path, hidden
// entries skipped). A bad file becomes its error entries (all of them) and
// is skipped; a duplicate id is an error and the later file is skipped.
// The top-level folders named in kDataDirs hold data read by other parts
// (scoring tables, evaluation profiles), not rules, and are not descended.
inline constexpr std::string_view kDataDirs[] = {"scoring", "profiles"};
RuleSet LoadRuleDir(const std::string& dir);

// If rule.when matches: assigns `set`, then runs `extract` in order. Returns
// whether it matched. Works for any kind (identify rules may `set` too).
bool ApplyFingerprint(const Rule& rule, nlohmann::json& facts);

struct TestResult {
  std::string rule_id;
  std::string test_name;
  bool passed = false;
  std::string message;  // why it failed; empty when it passed
  SourcePos pos;
};
// Runs rule.tests: the match result must equal `match`, and every `expect`
// field must equal the fact after ApplyFingerprint.
std::vector<TestResult> RunRuleTests(const Rule& rule);

// Dotted field helpers used by set/extract/expect ("service.version").
// Reading returns nullptr when the path is absent.
const nlohmann::json* GetField(const nlohmann::json& facts, std::string_view dotted);
// Creates intermediate objects; fails (returns false) when an intermediate is
// a non-object value.
bool SetField(nlohmann::json& facts, std::string_view dotted, nlohmann::json value);
// A dotted path of identifiers ([A-Za-z_][A-Za-z0-9_-]*), at most 16 segments.
bool IsValidFieldPath(std::string_view dotted);

}  // namespace ciiscope::rulelang
