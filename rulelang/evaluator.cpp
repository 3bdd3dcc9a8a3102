// Evaluation is a pure walk over the compiled tree. Values read from the
// facts are borrowed (no copies of large bodies); computed values are owned.
// Type errors give false or null — nothing here throws to the caller.

#include <cmath>
#include <string>
#include <vector>

#include "core/text.h"
#include "rulelang/ast.h"
#include "rulelang/expression.h"

namespace ciiscope::rulelang::internal {
namespace {

using nlohmann::json;

const json& NullJson() {
  static const json kNull;
  return kNull;
}

class Value {
 public:
  Value() = default;
  static Value Borrow(const json* ref) {
    Value v;
    v.ref_ = ref;
    return v;
  }
  static Value Own(json j) {
    Value v;
    v.owned_ = std::move(j);
    return v;
  }
  static Value Version(std::string s) {
    Value v = Own(std::move(s));
    v.is_version_ = true;
    return v;
  }
  const json& get() const { return ref_ ? *ref_ : owned_; }
  bool is_null() const { return get().is_null(); }
  bool is_version() const { return is_version_; }
  json Release() && { return ref_ ? *ref_ : std::move(owned_); }
  bool borrowed() const { return ref_ != nullptr; }

 private:
  const json* ref_ = nullptr;
  json owned_;
  bool is_version_ = false;
};

bool Truthy(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return false;
    case json::value_t::boolean: return j.get<bool>();
    case json::value_t::number_integer: return j.get<int64_t>() != 0;
    case json::value_t::number_unsigned: return j.get<uint64_t>() != 0;
    case json::value_t::number_float: return j.get<double>() != 0.0;
    case json::value_t::string: return !j.get_ref<const std::string&>().empty();
    case json::value_t::array:
    case json::value_t::object: return !j.empty();
    default: return false;
  }
}

// Numbers compare numerically; returns false when either is not a number.
bool NumericCompare(const json& a, const json& b, int* cmp) {
  if (!a.is_number() || !b.is_number()) return false;
  if (a.is_number_integer() && b.is_number_integer() && !a.is_number_unsigned() && !b.is_number_unsigned()) {
    int64_t x = a.get<int64_t>(), y = b.get<int64_t>();
    *cmp = x < y ? -1 : (x > y ? 1 : 0);
    return true;
  }
  double x = a.get<double>(), y = b.get<double>();
  if (std::isnan(x) || std::isnan(y)) return false;
  *cmp = x < y ? -1 : (x > y ? 1 : 0);
  return true;
}

bool VersionText(const json& j, std::string* out) {
  if (j.is_string()) {
    *out = j.get<std::string>();
  } else if (j.is_number()) {
    *out = j.dump();
  } else {
    return false;
  }
  return !out->empty();
}

// Ordering of two values; false when they are not comparable.
bool Order(const Value& a, const Value& b, int* cmp) {
  const json& x = a.get();
  const json& y = b.get();
  if (a.is_version() || b.is_version()) {
    std::string vx, vy;
    if (!VersionText(x, &vx) || !VersionText(y, &vy)) return false;
    int c = CompareVersions(vx, vy);
    *cmp = c < 0 ? -1 : (c > 0 ? 1 : 0);
    return true;
  }
  if (NumericCompare(x, y, cmp)) return true;
  if (x.is_string() && y.is_string()) {
    int c = x.get_ref<const std::string&>().compare(y.get_ref<const std::string&>());
    *cmp = c < 0 ? -1 : (c > 0 ? 1 : 0);
    return true;
  }
  return false;
}

bool Equal(const json& x, const json& y) {
  int cmp;
  if (NumericCompare(x, y, &cmp)) return cmp == 0;
  if (x.type() != y.type()) return false;
  return x == y;
}

bool EqualValues(const Value& a, const Value& b) {
  if (a.is_version() || b.is_version()) {
    int cmp;
    return Order(a, b, &cmp) && cmp == 0;
  }
  return Equal(a.get(), b.get());
}

bool Contains(const json& haystack, const json& needle) {
  if (haystack.is_string()) {
    return needle.is_string() &&
           haystack.get_ref<const std::string&>().find(needle.get_ref<const std::string&>()) != std::string::npos;
  }
  if (haystack.is_array()) {
    for (const auto& item : haystack) {
      if (Equal(item, needle)) return true;
    }
    return false;
  }
  if (haystack.is_object()) {
    return needle.is_string() && haystack.contains(needle.get_ref<const std::string&>());
  }
  return false;
}

size_t Utf8Length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

class Evaluator {
 public:
  explicit Evaluator(const json& facts) : facts_(facts) {}

  Value Eval(const Node& node) {
    switch (node.kind) {
      case NodeKind::kLiteral: return Value::Borrow(&node.literal);
      case NodeKind::kList: {
        json list = json::array();
        for (const auto& child : node.children) list.push_back(Eval(*child).Release());
        return Value::Own(std::move(list));
      }
      case NodeKind::kPath: return EvalPath(node);
      case NodeKind::kIt: return Value::Borrow(it_.empty() ? &NullJson() : it_.back());
      case NodeKind::kNot: return Value::Own(!Truthy(Eval(*node.children[0]).get()));
      case NodeKind::kNeg: {
        Value v = Eval(*node.children[0]);
        const json& j = v.get();
        if (j.is_number_integer() && !j.is_number_unsigned()) return Value::Own(-j.get<int64_t>());
        if (j.is_number()) return Value::Own(-j.get<double>());
        return Value();
      }
      case NodeKind::kAnd:
        for (const auto& child : node.children) {
          if (!Truthy(Eval(*child).get())) return Value::Own(false);
        }
        return Value::Own(true);
      case NodeKind::kOr:
        for (const auto& child : node.children) {
          if (Truthy(Eval(*child).get())) return Value::Own(true);
        }
        return Value::Own(false);
      case NodeKind::kIsNull: return Value::Own(Eval(*node.children[0]).is_null());
      case NodeKind::kNotNull: return Value::Own(!Eval(*node.children[0]).is_null());
      case NodeKind::kCompare: return Value::Own(Compare(node));
      case NodeKind::kCall: return Call(node);
    }
    return Value();
  }

 private:
  Value EvalPath(const Node& node) {
    Value base = node.children.empty() ? Value::Borrow(&facts_) : Eval(*node.children[0]);
    const json* cur = &base.get();
    for (const Segment& seg : node.segments) {
      const json* next = nullptr;
      if (!seg.index) {
        if (cur->is_object()) {
          auto it = cur->find(seg.key);
          if (it != cur->end()) next = &*it;
        }
      } else {
        Value index = Eval(*seg.index);
        const json& key = index.get();
        if (cur->is_object() && key.is_string()) {
          auto it = cur->find(key.get_ref<const std::string&>());
          if (it != cur->end()) next = &*it;
        } else if (cur->is_array() && key.is_number_integer()) {
          int64_t i = key.is_number_unsigned() ? static_cast<int64_t>(key.get<uint64_t>() & INT64_MAX)
                                               : key.get<int64_t>();
          int64_t size = static_cast<int64_t>(cur->size());
          if (i < 0) i += size;
          if (i >= 0 && i < size) next = &(*cur)[static_cast<size_t>(i)];
        }
      }
      if (!next) return Value();
      cur = next;
    }
    if (base.borrowed() || node.children.empty()) return Value::Borrow(cur);
    return Value::Own(*cur);  // base was computed: copy out before it goes away
  }

  bool Compare(const Node& node) {
    Value lhs = Eval(*node.children[0]);
    if (node.op == Op::kMatch || node.op == Op::kNotMatch) {
      const json& s = lhs.get();
      if (!s.is_string()) return false;
      bool hit = RE2::PartialMatch(s.get_ref<const std::string&>(), *node.regex);
      return node.op == Op::kMatch ? hit : !hit;
    }
    Value rhs = Eval(*node.children[1]);
    if (lhs.is_null() || rhs.is_null()) return false;  // comparisons with null are false
    const json& a = lhs.get();
    const json& b = rhs.get();
    int cmp = 0;
    switch (node.op) {
      case Op::kEq: return EqualValues(lhs, rhs);
      case Op::kNe: return !EqualValues(lhs, rhs);
      case Op::kLt: return Order(lhs, rhs, &cmp) && cmp < 0;
      case Op::kLe: return Order(lhs, rhs, &cmp) && cmp <= 0;
      case Op::kGt: return Order(lhs, rhs, &cmp) && cmp > 0;
      case Op::kGe: return Order(lhs, rhs, &cmp) && cmp >= 0;
      case Op::kIn: return Contains(b, a);
      case Op::kContains: return Contains(a, b);
      case Op::kStartsWith:
        return a.is_string() && b.is_string() &&
               a.get_ref<const std::string&>().starts_with(b.get_ref<const std::string&>());
      case Op::kEndsWith:
        return a.is_string() && b.is_string() &&
               a.get_ref<const std::string&>().ends_with(b.get_ref<const std::string&>());
      default: return false;
    }
  }

  Value Call(const Node& node) {
    if (node.func == Func::kAny || node.func == Func::kAll) {
      Value list = Eval(*node.children[0]);
      const json& items = list.get();
      if (!items.is_array()) return Value::Own(false);
      bool want_any = node.func == Func::kAny;
      for (const auto& item : items) {
        it_.push_back(&item);
        bool hit = Truthy(Eval(*node.children[1]).get());
        it_.pop_back();
        if (hit == want_any) return Value::Own(want_any);
      }
      return Value::Own(!want_any);
    }
    Value arg = Eval(*node.children[0]);
    const json& j = arg.get();
    switch (node.func) {
      case Func::kExists: return Value::Own(!j.is_null());
      case Func::kLen:
        if (j.is_string()) return Value::Own(Utf8Length(j.get_ref<const std::string&>()));
        if (j.is_array() || j.is_object()) return Value::Own(j.size());
        return Value();
      case Func::kLower:
        if (j.is_string()) return Value::Own(core::ToLower(j.get_ref<const std::string&>()));
        return Value();
      case Func::kUpper:
        if (j.is_string()) {
          std::string s = j.get<std::string>();
          for (char& c : s) {
            if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
          }
          return Value::Own(std::move(s));
        }
        return Value();
      case Func::kVersion: {
        std::string text;
        if (!VersionText(j, &text)) return Value();
        return Value::Version(std::move(text));
      }
      default: return Value();
    }
  }

  const json& facts_;
  std::vector<const json*> it_;
};

}  // namespace

json EvaluateProgram(const Program& program, const json& facts) {
  if (!program.root) return json();
  try {
    return Evaluator(facts).Eval(*program.root).Release();
  } catch (...) {  // defensive: evaluation must never throw to the caller
    return json();
  }
}

bool MatchProgram(const Program& program, const json& facts) {
  if (!program.root) return false;
  try {
    return Truthy(Evaluator(facts).Eval(*program.root).get());
  } catch (...) {
    return false;
  }
}

}  // namespace ciiscope::rulelang::internal
