// Applying rules to facts: set/extract, dotted field helpers, and the rule's
// own positive/negative tests.

#include "rulelang/rule.h"

#include <re2/re2.h>

#include "rulelang/extraction.h"

namespace ciiscope::rulelang {
namespace {

constexpr size_t kMaxPathSegments = 16;

std::vector<std::string_view> SplitDotted(std::string_view dotted) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t dot = dotted.find('.', start);
    parts.push_back(dotted.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

std::string Show(const nlohmann::json& j) {
  std::string s = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return s.size() > 120 ? s.substr(0, 117) + "..." : s;
}

bool SameValue(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  return a == b;
}

}  // namespace

std::string_view RuleKindName(RuleKind kind) {
  switch (kind) {
    case RuleKind::kFingerprint: return "fingerprint";
    case RuleKind::kIdentify: return "identify";
    case RuleKind::kCheck: return "check";
  }
  return "check";
}

int CriticalityRank(std::string_view criticality) {
  if (criticality == "high") return 3;
  if (criticality == "medium") return 2;
  if (criticality == "low") return 1;
  return 0;
}

bool IsValidFieldPath(std::string_view dotted) {
  if (dotted.empty()) return false;
  auto parts = SplitDotted(dotted);
  if (parts.size() > kMaxPathSegments) return false;
  for (std::string_view part : parts) {
    if (part.empty()) return false;
    char first = part[0];
    if (!(std::isalpha(static_cast<unsigned char>(first)) || first == '_')) return false;
    for (char c : part) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
    }
  }
  return true;
}

const nlohmann::json* GetField(const nlohmann::json& facts, std::string_view dotted) {
  const nlohmann::json* cur = &facts;
  for (std::string_view part : SplitDotted(dotted)) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(std::string(part));
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

bool SetField(nlohmann::json& facts, std::string_view dotted, nlohmann::json value) {
  if (!IsValidFieldPath(dotted)) return false;
  if (facts.is_null()) facts = nlohmann::json::object();
  nlohmann::json* cur = &facts;
  auto parts = SplitDotted(dotted);
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!cur->is_object()) return false;
    nlohmann::json& next = (*cur)[std::string(parts[i])];
    if (i + 1 == parts.size()) {
      next = std::move(value);
      return true;
    }
    if (next.is_null()) next = nlohmann::json::object();
    cur = &next;
  }
  return false;
}

Result<Extraction> Extraction::Compile(std::string target, std::string from, std::string pattern,
                                       const SourcePos& at) {
  if (!IsValidFieldPath(target)) {
    return Error(ErrorCode::kParse, at.ToString() + ": expected extract target to be a dotted field path "
                                                    "such as service.version, got '" + target + "'");
  }
  auto source = Expression::Compile(from, at);
  if (!source) return std::move(source).error();
  auto compiled = std::make_shared<internal::CompiledExtraction>();
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(1 << 20);
  compiled->regex = std::make_unique<RE2>(pattern, options);
  if (!compiled->regex->ok()) {
    return Error(ErrorCode::kParse, at.ToString() + ": expected a valid RE2 regex, got '" + pattern + "' (" +
                                        compiled->regex->error() + ")");
  }
  if (compiled->regex->NumberOfCapturingGroups() < 1) {
    return Error(ErrorCode::kParse, at.ToString() + ": expected a regex with a capture group, got '" + pattern + "'");
  }
  compiled->from = std::move(source).value();
  Extraction e;
  e.target = std::move(target);
  e.from = std::move(from);
  e.pattern = std::move(pattern);
  e.compiled_ = std::move(compiled);
  return e;
}

bool Extraction::Apply(nlohmann::json& facts) const {
  if (!compiled_) return false;
  nlohmann::json source = compiled_->from.Evaluate(facts);
  if (!source.is_string()) return false;
  std::string capture;
  if (!RE2::PartialMatch(source.get_ref<const std::string&>(), *compiled_->regex, &capture) || capture.empty()) {
    return false;
  }
  return SetField(facts, target, std::move(capture));
}

bool ApplyFingerprint(const Rule& rule, nlohmann::json& facts) {
  if (!rule.when.Matches(facts)) return false;
  if (rule.set.is_object()) {
    for (const auto& [path, value] : rule.set.items()) SetField(facts, path, value);
  }
  for (const Extraction& e : rule.extract) e.Apply(facts);
  return true;
}

std::vector<TestResult> RunRuleTests(const Rule& rule) {
  std::vector<TestResult> results;
  for (const RuleTest& test : rule.tests) {
    TestResult r;
    r.rule_id = rule.id;
    r.test_name = test.name;
    r.pos = test.pos;
    nlohmann::json facts = test.facts;
    bool matched = ApplyFingerprint(rule, facts);
    if (matched != test.expect_match) {
      r.message = std::string("expected ") + (test.expect_match ? "a match" : "no match") + ", got " +
                  (matched ? "a match" : "no match");
    } else if (test.expect.is_object()) {
      for (const auto& [path, want] : test.expect.items()) {
        const nlohmann::json* got = GetField(facts, path);
        if (!got || !SameValue(*got, want)) {
          r.message = path + ": expected " + Show(want) + ", got " + (got ? Show(*got) : "nothing");
          break;
        }
      }
    }
    r.passed = r.message.empty();
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace ciiscope::rulelang
