#pragma once
// One-pass matching for a pack of rules applied in order (the fingerprint
// pack, issue 4 item 4). Built once per rule-pack load: every regex (`=~`)
// and string test (`contains`, `startswith`, `endswith`, `==` against a
// literal, also through lower()/upper()) on a plain evidence field such as
// `banner`, `http.title`, `http.body` or `http.headers.server` goes into one
// RE2::Set per field; exists(P) and comparisons with numbers/booleans become
// "P is there" tests. Applying the pack scans each evidence string once with
// its Set, and only the rules whose necessary patterns hit (and fields are
// there) are evaluated fully (ApplyFingerprint). Exact: Apply gives the same facts and the same
// matches as ApplyFingerprint on every rule in order — a rule is skipped only
// when its `when` cannot be true (see rule_index.cpp for the argument), and a
// field some rule in the pack writes (set/extract) is never indexed.

#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "rulelang/rule.h"

namespace ciiscope::rulelang {

namespace internal {
struct RuleIndexData;
}  // namespace internal

class RuleIndex {
 public:
  RuleIndex() = default;
  // `rules` are applied in this order; they must outlive the index.
  explicit RuleIndex(std::vector<const Rule*> rules);

  // Same effect on facts as `for (rule : rules) ApplyFingerprint(*rule, facts)`;
  // calls on_match(rule) for each rule that matched, in order. Returns the
  // number of rules evaluated fully (the rest were ruled out by the Sets).
  size_t Apply(nlohmann::json& facts, const std::function<void(const Rule&)>& on_match = {}) const;

  struct Stats {
    size_t rules = 0;     // in the pack
    size_t indexed = 0;   // with a necessary condition on the Sets
    size_t fields = 0;    // with an RE2::Set (others are only tested for presence)
    size_t patterns = 0;  // distinct patterns over all Sets
  };
  Stats stats() const;
  const std::vector<const Rule*>& rules() const;

 private:
  std::shared_ptr<const internal::RuleIndexData> data_;
};

}  // namespace ciiscope::rulelang
