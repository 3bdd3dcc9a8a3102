#pragma once
// Internal: the compiled expression tree. Built by the parser, walked by the
// evaluator, immutable after Compile.

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <re2/re2.h>

namespace ciiscope::rulelang::internal {

enum class NodeKind {
  kLiteral,   // literal
  kList,      // children: elements (a list literal with non-constant items)
  kPath,      // base (children[0], optional) then segments
  kIt,        // the element inside any()/all()
  kNot,       // children[0]
  kNeg,       // children[0]
  kAnd,       // children (n-ary, short-circuit)
  kOr,        // children (n-ary, short-circuit)
  kCompare,   // children[0] op children[1]
  kIsNull,    // children[0] == null
  kNotNull,   // children[0] != null
  kCall,      // func(children...)
};

enum class Op {
  kEq, kNe, kLt, kLe, kGt, kGe,
  kMatch, kNotMatch,  // regex in Node::regex
  kIn, kContains, kStartsWith, kEndsWith,
};

enum class Func { kLen, kLower, kUpper, kExists, kVersion, kAny, kAll };

struct Node;
using NodePtr = std::unique_ptr<Node>;

// One step of a field path: `.key` (index == nullptr) or `[index]`.
struct Segment {
  std::string key;
  NodePtr index;
};

struct Node {
  NodeKind kind = NodeKind::kLiteral;
  size_t offset = 0;  // byte offset in the expression text
  nlohmann::json literal;
  std::vector<NodePtr> children;
  std::vector<Segment> segments;  // kPath
  Op op = Op::kEq;
  Func func = Func::kLen;
  std::unique_ptr<re2::RE2> regex;  // kCompare with kMatch / kNotMatch
};

struct Program {
  std::string text;
  NodePtr root;
  // Top-level facts the expression cannot be truthy without (prefilter.cpp).
  std::vector<std::string> required_roots;
};

// Computed once by Expression::Compile.
std::vector<std::string> RequiredRoots(const Node& root);

// Evaluates a compiled tree (evaluator.cpp). Never throws.
nlohmann::json EvaluateProgram(const Program& program, const nlohmann::json& facts);
// Truthiness of the result, without copying borrowed values.
bool MatchProgram(const Program& program, const nlohmann::json& facts);

}  // namespace ciiscope::rulelang::internal
