#pragma once
// The rule expression language: small, typed, not Turing complete.
// Compile once (all errors come out of Compile, with file:line:col), then
// evaluate as a pure walk over the compiled tree — no errors, no I/O, no
// exceptions. The syntax is documented in docs/rules.md.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "rulelang/source_pos.h"

namespace ciiscope::rulelang {

namespace internal {
struct Program;
}  // namespace internal

// Limits enforced by Compile.
inline constexpr size_t kMaxExpressionBytes = 8 * 1024;
inline constexpr int kMaxExpressionDepth = 64;

class Expression {
 public:
  // An empty expression: evaluates to null, never matches.
  Expression() = default;

  // Compiles `text`. `at` is where the text starts (e.g. inside a YAML file);
  // errors are Error(kParse) whose message starts with the position of the
  // offending token: "file:line:col: expected …, got …". Regex literals are
  // compiled here (RE2), so a bad pattern is a compile error.
  static Result<Expression> Compile(std::string_view text, const SourcePos& at = {});

  // Truthiness of Evaluate: null, false, 0, "" and empty lists/objects are false.
  bool Matches(const nlohmann::json& facts) const;
  // Never throws; type errors yield false or null. Thread-safe: the compiled
  // tree is immutable and shared between copies.
  nlohmann::json Evaluate(const nlohmann::json& facts) const;

  const std::string& text() const;
  // Top-level fact names (e.g. "http", "tls") without which Matches() is
  // false; Matches() checks them first (a cheap pre-filter).
  const std::vector<std::string>& required_roots() const;
  bool empty() const { return program_ == nullptr; }
  // Internal: the compiled tree (null when empty), for rule_index.cpp.
  const internal::Program* program() const { return program_.get(); }

 private:
  explicit Expression(std::shared_ptr<const internal::Program> program)
      : program_(std::move(program)) {}
  std::shared_ptr<const internal::Program> program_;
};

// Compares two version strings: <0, 0, >0. Segments of digits compare
// numerically, segments of letters lexically (case-insensitive);
// "7.4p1" < "7.7", "1.18.0" < "1.20". A distribution suffix after '-' or '+'
// only breaks ties ("7.4p1-10+deb9u7" > "7.4p1", < "7.5"); after '~' it sorts
// before the bare version ("1.0~rc1" < "1.0"); an optional "N:" epoch compares
// first. Pre-release words (alpha, beta, rc, pre, dev) sort before the release.
int CompareVersions(std::string_view a, std::string_view b);

}  // namespace ciiscope::rulelang

// Either header gives the whole public API (Rule, LoadRuleFile, …).
#include "rulelang/rule.h"  // IWYU pragma: export
