// Pre-filter: the top-level fact names (http, tls, banner, probe, …) without
// which an expression cannot be truthy, found once at compile time. Matches()
// checks them before walking the tree, so a rule about HTTP costs one map
// lookup on a service that has no HTTP evidence. Exact, not heuristic: every
// rule below follows the evaluator's null semantics (evaluator.cpp).

#include <algorithm>
#include <set>
#include <string>

#include "rulelang/ast.h"

namespace ciiscope::rulelang::internal {
namespace {

using Roots = std::set<std::string>;

Roots Intersect(const Roots& a, const Roots& b) {
  Roots out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.begin()));
  return out;
}

// Roots whose absence makes the node's value null.
Roots NullIfMissing(const Node& node) {
  switch (node.kind) {
    case NodeKind::kPath:
      if (!node.children.empty()) return NullIfMissing(*node.children[0]);
      if (!node.segments.empty() && !node.segments[0].index) return {node.segments[0].key};
      return {};
    case NodeKind::kNeg: return NullIfMissing(*node.children[0]);
    case NodeKind::kCall:
      switch (node.func) {
        case Func::kLen:
        case Func::kLower:
        case Func::kUpper:
        case Func::kVersion: return NullIfMissing(*node.children[0]);
        default: return {};  // exists/any/all give booleans
      }
    default: return {};
  }
}

// Roots whose absence makes the node falsy.
Roots FalseIfMissing(const Node& node) {
  switch (node.kind) {
    case NodeKind::kPath:
    case NodeKind::kNeg: return NullIfMissing(node);
    case NodeKind::kAnd: {
      Roots out;
      for (const auto& child : node.children) {
        Roots r = FalseIfMissing(*child);
        out.insert(r.begin(), r.end());
      }
      return out;
    }
    case NodeKind::kOr: {
      if (node.children.empty()) return {};
      Roots out = FalseIfMissing(*node.children[0]);
      for (size_t i = 1; i < node.children.size() && !out.empty(); ++i) {
        out = Intersect(out, FalseIfMissing(*node.children[i]));
      }
      return out;
    }
    case NodeKind::kCompare: {
      Roots out = NullIfMissing(*node.children[0]);  // =~ / !~: a non-string left side is false
      if (node.op != Op::kMatch && node.op != Op::kNotMatch && node.children.size() > 1) {
        Roots r = NullIfMissing(*node.children[1]);  // any comparison with null is false
        out.insert(r.begin(), r.end());
      }
      return out;
    }
    case NodeKind::kNotNull: return NullIfMissing(*node.children[0]);
    case NodeKind::kCall:
      switch (node.func) {
        case Func::kExists:
        case Func::kAny:
        case Func::kAll:  // a non-list is false for both
        case Func::kLen:
        case Func::kLower:
        case Func::kUpper:
        case Func::kVersion: return NullIfMissing(*node.children[0]);
      }
      return {};
    default: return {};  // literals, !, == null, lists, it
  }
}

}  // namespace

std::vector<std::string> RequiredRoots(const Node& root) {
  Roots r = FalseIfMissing(root);
  return {r.begin(), r.end()};
}

}  // namespace ciiscope::rulelang::internal
