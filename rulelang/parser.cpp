#include "rulelang/parser.h"

#include <vector>

#include "rulelang/expression.h"
#include "rulelang/lexer.h"

namespace ciiscope::rulelang::internal {
namespace {

constexpr int64_t kRegexMaxMem = 1 << 20;  // RE2 program size cap per pattern

NodePtr MakeNode(NodeKind kind, size_t offset) {
  auto node = std::make_unique<Node>();
  node->kind = kind;
  node->offset = offset;
  return node;
}

bool IsOperatorWord(const std::string& s) {
  return s == "in" || s == "contains" || s == "startswith" || s == "endswith";
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, ParseError* error) : t_(std::move(tokens)), error_(error) {}

  NodePtr Run() {
    NodePtr root = ParseOr();
    if (!root) return nullptr;
    if (Cur().kind != Tok::kEnd) {
      return Fail(Cur(), "expected an operator ('&&', '||', '==', …) or end of expression");
    }
    return root;
  }

 private:
  const Token& Cur() const { return t_[pos_]; }
  const Token& Advance() { return t_[pos_ < t_.size() - 1 ? pos_++ : pos_]; }
  bool IsWord(const char* word) const { return Cur().kind == Tok::kIdent && Cur().text == word; }

  NodePtr Fail(const Token& at, const std::string& expected) {
    if (error_->message.empty()) {
      error_->offset = at.offset;
      error_->message = expected + ", got " + Describe(at);
    }
    return nullptr;
  }
  NodePtr FailAt(size_t offset, std::string message) {
    if (error_->message.empty()) {
      error_->offset = offset;
      error_->message = std::move(message);
    }
    return nullptr;
  }

  // Bounds recursion (parentheses, unary chains, arguments, lists).
  struct DepthGuard {
    explicit DepthGuard(int* d) : depth(d) { ++*depth; }
    ~DepthGuard() { --*depth; }
    int* depth;
  };
  bool TooDeep() {
    if (depth_ <= kMaxExpressionDepth) return false;
    FailAt(Cur().offset, "expected at most " + std::to_string(kMaxExpressionDepth) +
                             " levels of nesting, got more");
    return true;
  }

  NodePtr ParseNary(NodeKind kind, Tok op, NodePtr (Parser::*next)()) {
    size_t at = Cur().offset;
    NodePtr first = (this->*next)();
    if (!first || Cur().kind != op) return first;
    NodePtr node = MakeNode(kind, at);
    node->children.push_back(std::move(first));
    while (Cur().kind == op) {
      Advance();
      NodePtr rhs = (this->*next)();
      if (!rhs) return nullptr;
      node->children.push_back(std::move(rhs));
    }
    return node;
  }

  NodePtr ParseOr() {
    DepthGuard guard(&depth_);
    if (TooDeep()) return nullptr;
    return ParseNary(NodeKind::kOr, Tok::kOr, &Parser::ParseAnd);
  }
  NodePtr ParseAnd() { return ParseNary(NodeKind::kAnd, Tok::kAnd, &Parser::ParseCompare); }

  bool CurrentComparison(Op* op) const {
    switch (Cur().kind) {
      case Tok::kEq: *op = Op::kEq; return true;
      case Tok::kNe: *op = Op::kNe; return true;
      case Tok::kLt: *op = Op::kLt; return true;
      case Tok::kLe: *op = Op::kLe; return true;
      case Tok::kGt: *op = Op::kGt; return true;
      case Tok::kGe: *op = Op::kGe; return true;
      case Tok::kMatch: *op = Op::kMatch; return true;
      case Tok::kNotMatch: *op = Op::kNotMatch; return true;
      case Tok::kIdent:
        if (Cur().text == "in") { *op = Op::kIn; return true; }
        if (Cur().text == "contains") { *op = Op::kContains; return true; }
        if (Cur().text == "startswith") { *op = Op::kStartsWith; return true; }
        if (Cur().text == "endswith") { *op = Op::kEndsWith; return true; }
        return false;
      default:
        return false;
    }
  }

  NodePtr ParseCompare() {
    NodePtr lhs = ParseUnary();
    if (!lhs) return nullptr;
    Op op;
    if (!CurrentComparison(&op)) return lhs;
    const Token& op_token = Advance();
    size_t at = op_token.offset;
    if (op == Op::kMatch || op == Op::kNotMatch) return ParseRegex(std::move(lhs), op, at);
    NodePtr rhs = ParseUnary();
    if (!rhs) return nullptr;
    Op next;
    if (CurrentComparison(&next)) {
      return Fail(Cur(), "expected '&&', '||' or ')' (comparisons do not chain; use &&)");
    }
    auto is_null = [](const NodePtr& n) { return n->kind == NodeKind::kLiteral && n->literal.is_null(); };
    if ((op == Op::kEq || op == Op::kNe) && (is_null(lhs) || is_null(rhs))) {
      NodePtr node = MakeNode(op == Op::kEq ? NodeKind::kIsNull : NodeKind::kNotNull, at);
      node->children.push_back(is_null(lhs) ? std::move(rhs) : std::move(lhs));
      return node;
    }
    NodePtr node = MakeNode(NodeKind::kCompare, at);
    node->op = op;
    node->children.push_back(std::move(lhs));
    node->children.push_back(std::move(rhs));
    return node;
  }

  NodePtr ParseRegex(NodePtr lhs, Op op, size_t at) {
    const Token& pattern = Cur();
    if (pattern.kind != Tok::kString) {
      return Fail(pattern, "expected a string literal regex after '" +
                               std::string(op == Op::kMatch ? "=~" : "!~") + "'");
    }
    Advance();
    RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(kRegexMaxMem);
    auto re = std::make_unique<RE2>(pattern.value.get<std::string>(), options);
    if (!re->ok()) {
      return FailAt(pattern.offset, "expected a valid RE2 regex, got " + Describe(pattern) + " (" +
                                        re->error() + ")");
    }
    Op next;
    if (CurrentComparison(&next)) {
      return Fail(Cur(), "expected '&&', '||' or ')' (comparisons do not chain; use &&)");
    }
    NodePtr node = MakeNode(NodeKind::kCompare, at);
    node->op = op;
    node->regex = std::move(re);
    node->children.push_back(std::move(lhs));
    return node;
  }

  NodePtr ParseUnary() {
    if (Cur().kind == Tok::kNot || Cur().kind == Tok::kMinus) {
      DepthGuard guard(&depth_);
      if (TooDeep()) return nullptr;
      const Token& op = Advance();
      NodePtr operand = ParseUnary();
      if (!operand) return nullptr;
      if (op.kind == Tok::kMinus && operand->kind == NodeKind::kLiteral && operand->literal.is_number()) {
        if (operand->literal.is_number_integer()) {
          operand->literal = -operand->literal.get<int64_t>();
        } else {
          operand->literal = -operand->literal.get<double>();
        }
        operand->offset = op.offset;
        return operand;
      }
      NodePtr node = MakeNode(op.kind == Tok::kNot ? NodeKind::kNot : NodeKind::kNeg, op.offset);
      node->children.push_back(std::move(operand));
      return node;
    }
    return ParsePostfix();
  }

  NodePtr ParsePostfix() {
    NodePtr base = ParsePrimary();
    if (!base) return nullptr;
    if (Cur().kind != Tok::kDot && Cur().kind != Tok::kLBracket) return base;
    NodePtr path;
    if (base->kind == NodeKind::kPath) {
      path = std::move(base);
    } else {
      path = MakeNode(NodeKind::kPath, base->offset);
      path->children.push_back(std::move(base));
    }
    while (Cur().kind == Tok::kDot || Cur().kind == Tok::kLBracket) {
      if (Advance().kind == Tok::kDot) {
        if (Cur().kind != Tok::kIdent) return Fail(Cur(), "expected a field name after '.'");
        path->segments.push_back(Segment{Advance().text, nullptr});
        continue;
      }
      NodePtr index = ParseOr();
      if (!index) return nullptr;
      if (Cur().kind != Tok::kRBracket) return Fail(Cur(), "expected ']' after index");
      Advance();
      path->segments.push_back(Segment{"", std::move(index)});
    }
    return path;
  }

  NodePtr ParsePrimary() {
    const Token& tok = Cur();
    switch (tok.kind) {
      case Tok::kNumber:
      case Tok::kString: {
        NodePtr node = MakeNode(NodeKind::kLiteral, tok.offset);
        node->literal = tok.value;
        Advance();
        return node;
      }
      case Tok::kLParen: {
        Advance();
        NodePtr inner = ParseOr();
        if (!inner) return nullptr;
        if (Cur().kind != Tok::kRParen) return Fail(Cur(), "expected ')'");
        Advance();
        return inner;
      }
      case Tok::kLBracket:
        return ParseList();
      case Tok::kIdent:
        return ParseIdent();
      default:
        return Fail(tok, "expected a field, a literal, a function call or '('");
    }
  }

  NodePtr ParseList() {
    DepthGuard guard(&depth_);
    if (TooDeep()) return nullptr;
    size_t at = Advance().offset;
    NodePtr list = MakeNode(NodeKind::kList, at);
    while (Cur().kind != Tok::kRBracket) {
      NodePtr item = ParseOr();
      if (!item) return nullptr;
      list->children.push_back(std::move(item));
      if (Cur().kind == Tok::kComma) {
        Advance();
      } else if (Cur().kind != Tok::kRBracket) {
        return Fail(Cur(), "expected ',' or ']' in list");
      }
    }
    Advance();
    bool constant = true;
    for (const auto& item : list->children) constant = constant && item->kind == NodeKind::kLiteral;
    if (!constant) return list;
    NodePtr literal = MakeNode(NodeKind::kLiteral, at);
    literal->literal = nlohmann::json::array();
    for (const auto& item : list->children) literal->literal.push_back(item->literal);
    return literal;
  }

  NodePtr ParseIdent() {
    const Token& tok = Advance();
    const std::string& name = tok.text;
    if (name == "true" || name == "false" || name == "null") {
      NodePtr node = MakeNode(NodeKind::kLiteral, tok.offset);
      if (name != "null") node->literal = (name == "true");
      return node;
    }
    if (IsOperatorWord(name)) return Fail(tok, "expected a field, a literal, a function call or '('");
    if (Cur().kind == Tok::kLParen) return ParseCall(tok);
    if (name == "it") {
      if (it_depth_ == 0) return FailAt(tok.offset, "expected 'it' only inside any() or all(), got 'it'");
      return MakeNode(NodeKind::kIt, tok.offset);
    }
    NodePtr path = MakeNode(NodeKind::kPath, tok.offset);
    path->segments.push_back(Segment{name, nullptr});
    return path;
  }

  NodePtr ParseCall(const Token& name_token) {
    DepthGuard guard(&depth_);
    if (TooDeep()) return nullptr;
    const std::string& name = name_token.text;
    Func func;
    size_t arity = 1;
    if (name == "len") func = Func::kLen;
    else if (name == "lower") func = Func::kLower;
    else if (name == "upper") func = Func::kUpper;
    else if (name == "exists") func = Func::kExists;
    else if (name == "version") func = Func::kVersion;
    else if (name == "any") func = Func::kAny, arity = 2;
    else if (name == "all") func = Func::kAll, arity = 2;
    else return FailAt(name_token.offset, "expected a function (len, lower, upper, exists, version, any, all), got '" + name + "'");
    Advance();  // '('
    NodePtr call = MakeNode(NodeKind::kCall, name_token.offset);
    call->func = func;
    while (Cur().kind != Tok::kRParen) {
      if (call->children.size() == arity) {
        return Fail(Cur(), "expected " + std::to_string(arity) + " argument" + (arity == 1 ? "" : "s") +
                               " for " + name + "()");
      }
      if (!call->children.empty()) {
        if (Cur().kind != Tok::kComma) return Fail(Cur(), "expected ',' or ')' in arguments of " + name + "()");
        Advance();
      }
      bool predicate = arity == 2 && call->children.size() == 1;
      if (predicate) ++it_depth_;
      NodePtr arg = ParseOr();
      if (predicate) --it_depth_;
      if (!arg) return nullptr;
      call->children.push_back(std::move(arg));
    }
    if (call->children.size() != arity) {
      return Fail(Cur(), "expected " + std::to_string(arity) + " argument" + (arity == 1 ? "" : "s") +
                             " for " + name + "()");
    }
    Advance();
    if (func == Func::kExists) {
      NodeKind k = call->children[0]->kind;
      if (k != NodeKind::kPath && k != NodeKind::kIt) {
        return FailAt(call->children[0]->offset, "expected a field path as the argument of exists()");
      }
    }
    return call;
  }

  std::vector<Token> t_;
  size_t pos_ = 0;
  int depth_ = 0;
  int it_depth_ = 0;
  ParseError* error_;
};

}  // namespace

NodePtr ParseExpression(std::string_view text, ParseError* error) {
  std::vector<Token> tokens;
  LexError lex_error;
  if (!Tokenize(text, &tokens, &lex_error)) {
    error->offset = lex_error.offset;
    error->message = lex_error.message;
    return nullptr;
  }
  return Parser(std::move(tokens), error).Run();
}

}  // namespace ciiscope::rulelang::internal
