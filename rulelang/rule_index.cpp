// RuleIndex (rule_index.h). Why skipping a rule is exact:
//
// Need(node) is a condition over "atoms" that holds whenever node is truthy.
// An atom is (field, pattern) where the field is a plain path of constant
// keys (banner, http.headers["server"]) and the pattern an RE2 that matches
// the field's string whenever the comparison it came from is true:
//   P =~ R             → R itself (same RE2 options as the rule's regex)
//   P contains "s"     → QuoteMeta(s)          (substring)
//   P startswith "s"   → ^QuoteMeta(s)          (^ and $ are text anchors)
//   P endswith "s"     → QuoteMeta(s)$
//   P == "s"           → ^QuoteMeta(s)$
//   lower(P)/upper(P) … → the same with (?i) (ASCII folding ⊂ RE2's folding)
// A presence atom is (field, "not null"): a bare path, `P != null`,
// exists(P), len/lower/upper/version(P) and any other comparison with a
// plain-path operand (every comparison is false on a null operand; =~ and
// !~ on a non-string left side) need it.
// `a && b` needs Need(a) and Need(b); `a || b` needs Need(a) or Need(b);
// anything else needs nothing (always a candidate). Atom truth at run time:
// field absent or null → false (each comparison above is false on null);
// a presence atom → true otherwise; a pattern atom on a string → whether the
// field's RE2::Set reported the pattern; on any other type, or when the Set
// failed to compile or ran out of memory → true. So a rule
// whose condition is false cannot match and is skipped; every other rule is
// evaluated by ApplyFingerprint as before. Fields are looked up once, before
// the first rule: a field that any rule of the pack writes (a `set` key or
// extract target that is a prefix of it or that it is a prefix of) is never
// indexed, so the values seen by the Sets are the values the rules see.

#include "rulelang/rule_index.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <re2/re2.h>
#include <re2/set.h>

#include "rulelang/ast.h"

namespace ciiscope::rulelang {
namespace internal {
namespace {

using Keys = std::vector<std::string>;
using nlohmann::json;

constexpr int64_t kSetMaxMem = 16 << 20;  // per field Set (each rule regex alone is capped at 1 MiB)

struct Cond {
  enum Kind { kTrue, kAtom, kAnd, kOr } kind = kTrue;
  size_t atom = 0;  // kAtom: index into RuleIndexData::atoms
  std::vector<Cond> kids;
};

constexpr size_t kNoAtom = static_cast<size_t>(-1);

struct Field {
  Keys keys;
  std::unique_ptr<RE2::Set> set;          // null until a pattern is added
  std::map<std::string, size_t> atom_of;  // pattern → atom index
  std::vector<size_t> atoms;              // Set index → atom index
  bool compiled = false;
  size_t present = kNoAtom;  // atom "the field is there and not null"
};

Keys SplitDotted(const std::string& dotted) {
  Keys out;
  size_t start = 0;
  for (;;) {
    size_t dot = dotted.find('.', start);
    out.push_back(dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return out;
    start = dot + 1;
  }
}

bool Overlaps(const Keys& a, const Keys& b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// A path of constant keys from the facts root, e.g. http.headers["server"].
bool PlainPath(const Node& node, Keys* keys) {
  if (node.kind != NodeKind::kPath || !node.children.empty() || node.segments.empty()) return false;
  for (const Segment& seg : node.segments) {
    if (!seg.index) {
      keys->push_back(seg.key);
    } else if (seg.index->kind == NodeKind::kLiteral && seg.index->literal.is_string()) {
      keys->push_back(seg.index->literal.get<std::string>());
    } else {
      return false;
    }
  }
  return true;
}

// The field a string comparison reads: P, lower(P) or upper(P).
bool ComparedField(const Node& node, Keys* keys, bool* fold) {
  if (node.kind == NodeKind::kCall && (node.func == Func::kLower || node.func == Func::kUpper) &&
      node.children.size() == 1) {
    *fold = true;
    return PlainPath(*node.children[0], keys);
  }
  *fold = false;
  return PlainPath(node, keys);
}

Cond Simplify(Cond::Kind kind, std::vector<Cond> kids) {
  std::vector<Cond> kept;
  for (Cond& k : kids) {
    if (k.kind == Cond::kTrue) {
      if (kind == Cond::kOr) return Cond{};  // one unconstrained branch: no constraint
      continue;
    }
    kept.push_back(std::move(k));
  }
  if (kept.empty()) return Cond{};
  if (kept.size() == 1) return std::move(kept[0]);
  Cond c;
  c.kind = kind;
  c.kids = std::move(kept);
  return c;
}

}  // namespace

struct RuleIndexData {
  std::vector<const Rule*> rules;
  std::vector<Cond> need;  // per rule
  std::vector<Field> fields;
  size_t atom_count = 0;
  std::vector<Keys> written;  // set/extract targets of the pack

  // The indexable field at `keys`, or null when some rule writes it.
  Field* FieldAt(const Keys& keys) {
    for (const Keys& w : written) {
      if (Overlaps(w, keys)) return nullptr;
    }
    for (Field& f : fields) {
      if (f.keys == keys) return &f;
    }
    fields.push_back(Field{keys, nullptr, {}, {}, false, kNoAtom});
    return &fields.back();
  }

  static Cond AtomCond(size_t atom) {
    Cond c;
    c.kind = Cond::kAtom;
    c.atom = atom;
    return c;
  }

  Cond Present(const Keys& keys) {
    Field* field = FieldAt(keys);
    if (field == nullptr) return Cond{};
    if (field->present == kNoAtom) field->present = atom_count++;
    return AtomCond(field->present);
  }

  Cond Atom(const Keys& keys, const std::string& pattern) {
    Field* field = FieldAt(keys);
    if (field == nullptr) return Cond{};
    if (!field->set) {
      RE2::Options options;
      options.set_log_errors(false);
      options.set_max_mem(kSetMaxMem);
      field->set = std::make_unique<RE2::Set>(options, RE2::UNANCHORED);
    }
    auto it = field->atom_of.find(pattern);
    if (it == field->atom_of.end()) {
      std::string error;
      if (field->set->Add(pattern, &error) < 0) return Cond{};  // not indexable: always a candidate
      it = field->atom_of.emplace(pattern, atom_count++).first;
      field->atoms.push_back(it->second);
    }
    return AtomCond(it->second);
  }

  // The plain path whose absence makes `node` null (len/lower/upper/version
  // and unary minus of null are null), or null.
  static const Node* NullWith(const Node& node, Keys* keys) {
    const Node* n = &node;
    while ((n->kind == NodeKind::kNeg ||
            (n->kind == NodeKind::kCall && n->func != Func::kExists && n->func != Func::kAny &&
             n->func != Func::kAll)) &&
           n->children.size() == 1) {
      n = n->children[0].get();
    }
    return PlainPath(*n, keys) ? n : nullptr;
  }

  Cond Need(const Node& node) {
    switch (node.kind) {
      case NodeKind::kAnd:
      case NodeKind::kOr: {
        std::vector<Cond> kids;
        for (const auto& child : node.children) kids.push_back(Need(*child));
        return Simplify(node.kind == NodeKind::kAnd ? Cond::kAnd : Cond::kOr, std::move(kids));
      }
      case NodeKind::kCompare: {
        Cond c = NeedCompare(node);
        return c.kind == Cond::kTrue ? NeedOperands(node) : c;
      }
      case NodeKind::kPath:
      case NodeKind::kNeg:
      case NodeKind::kNotNull: {  // truthy or `!= null`: not null
        Keys keys;
        const Node* path = NullWith(node.kind == NodeKind::kNotNull ? *node.children[0] : node, &keys);
        return path ? Present(keys) : Cond{};
      }
      case NodeKind::kCall:
        if (node.func == Func::kAny || node.func == Func::kAll || node.children.empty()) return Cond{};
        {
          Keys keys;  // exists(P), len(P), lower(P)…: P not null
          return NullWith(*node.children[0], &keys) ? Present(keys) : Cond{};
        }
      default: return Cond{};
    }
  }

  // Every comparison is false when an operand is null (=~ and !~ when the
  // left side is not a string), so each plain-path operand must be there.
  Cond NeedOperands(const Node& node) {
    std::vector<Cond> kids;
    for (size_t i = 0; i < node.children.size() && i < 2; ++i) {
      if (i == 1 && (node.op == Op::kMatch || node.op == Op::kNotMatch)) break;
      Keys keys;
      if (NullWith(*node.children[i], &keys)) kids.push_back(Present(keys));
    }
    return Simplify(Cond::kAnd, std::move(kids));
  }

  Cond NeedCompare(const Node& node) {
    if (node.children.empty()) return Cond{};
    Keys keys;
    bool fold = false;
    if (node.op == Op::kMatch) {
      if (!node.regex || !PlainPath(*node.children[0], &keys)) return Cond{};
      return Atom(keys, node.regex->pattern());
    }
    if (node.children.size() != 2 || !ComparedField(*node.children[0], &keys, &fold)) return Cond{};
    const Node& rhs = *node.children[1];
    if (rhs.kind != NodeKind::kLiteral || !rhs.literal.is_string()) return Cond{};
    const std::string quoted = RE2::QuoteMeta(rhs.literal.get<std::string>());
    const std::string prefix = fold ? "(?i)" : "";
    switch (node.op) {
      case Op::kContains: return Atom(keys, prefix + quoted);
      case Op::kStartsWith: return Atom(keys, prefix + "^" + quoted);
      case Op::kEndsWith: return Atom(keys, prefix + quoted + "$");
      case Op::kEq: return Atom(keys, prefix + "^" + quoted + "$");
      default: return Cond{};
    }
  }
};

namespace {

bool Holds(const Cond& c, const std::vector<uint8_t>& hit) {
  switch (c.kind) {
    case Cond::kTrue: return true;
    case Cond::kAtom: return hit[c.atom] != 0;
    case Cond::kAnd:
      for (const Cond& k : c.kids) {
        if (!Holds(k, hit)) return false;
      }
      return true;
    case Cond::kOr:
      for (const Cond& k : c.kids) {
        if (Holds(k, hit)) return true;
      }
      return false;
  }
  return true;
}

const json* Lookup(const json& facts, const Keys& keys) {
  const json* cur = &facts;
  for (const std::string& key : keys) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

}  // namespace
}  // namespace internal

RuleIndex::RuleIndex(std::vector<const Rule*> rules) {
  auto data = std::make_shared<internal::RuleIndexData>();
  data->rules = std::move(rules);
  for (const Rule* rule : data->rules) {
    if (rule->set.is_object()) {
      for (const auto& item : rule->set.items()) data->written.push_back(internal::SplitDotted(item.key()));
    }
    for (const Extraction& e : rule->extract) data->written.push_back(internal::SplitDotted(e.target));
  }
  for (const Rule* rule : data->rules) {
    const internal::Program* program = rule->when.program();
    data->need.push_back(program && program->root ? data->Need(*program->root) : internal::Cond{});
  }
  for (internal::Field& f : data->fields) f.compiled = f.set && f.set->Compile();
  data_ = std::move(data);
}

size_t RuleIndex::Apply(nlohmann::json& facts, const std::function<void(const Rule&)>& on_match) const {
  if (!data_) return 0;
  const internal::RuleIndexData& d = *data_;
  std::vector<uint8_t> hit(d.atom_count, 0);
  std::vector<int> matched;
  for (const internal::Field& f : d.fields) {
    const nlohmann::json* value = internal::Lookup(facts, f.keys);
    if (value == nullptr || value->is_null()) continue;  // every comparison on it is false
    if (f.present != internal::kNoAtom) hit[f.present] = 1;
    if (!f.set) continue;
    bool all = !value->is_string() || !f.compiled;
    if (!all) {
      matched.clear();
      RE2::Set::ErrorInfo error{};
      if (!f.set->Match(value->get_ref<const std::string&>(), &matched, &error) &&
          error.kind != RE2::Set::kNoError) {
        all = true;  // out of memory: no information, evaluate the rules
      }
      for (int i : matched) hit[f.atoms[static_cast<size_t>(i)]] = 1;
    }
    if (all) {
      for (size_t atom : f.atoms) hit[atom] = 1;
    }
  }
  size_t evaluated = 0;
  for (size_t i = 0; i < d.rules.size(); ++i) {
    if (!internal::Holds(d.need[i], hit)) continue;
    ++evaluated;
    if (ApplyFingerprint(*d.rules[i], facts) && on_match) on_match(*d.rules[i]);
  }
  return evaluated;
}

RuleIndex::Stats RuleIndex::stats() const {
  Stats s;
  if (!data_) return s;
  s.rules = data_->rules.size();
  for (const auto& c : data_->need) s.indexed += c.kind != internal::Cond::kTrue;
  for (const auto& f : data_->fields) s.fields += f.set != nullptr;
  s.patterns = data_->atom_count;
  return s;
}

const std::vector<const Rule*>& RuleIndex::rules() const {
  static const std::vector<const Rule*> kNone;
  return data_ ? data_->rules : kNone;
}

}  // namespace ciiscope::rulelang
