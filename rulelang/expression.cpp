#include "rulelang/expression.h"

#include "rulelang/ast.h"
#include "rulelang/parser.h"

namespace ciiscope::rulelang {

std::string SourcePos::ToString() const {
  return (file.empty() ? std::string("<expr>") : file) + ":" + std::to_string(line > 0 ? line : 1) +
         ":" + std::to_string(column > 0 ? column : 1);
}

namespace {

// Position of byte `offset` of an expression that starts at `at`. Later lines
// keep the starting column as their indentation (YAML block scalars).
SourcePos PositionOf(std::string_view text, size_t offset, const SourcePos& at) {
  SourcePos pos = at;
  int line = at.line > 0 ? at.line : 1;
  int base_column = at.column > 0 ? at.column : 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  pos.line = line;
  pos.column = base_column + static_cast<int>(offset - line_start);
  return pos;
}

}  // namespace

Result<Expression> Expression::Compile(std::string_view text, const SourcePos& at) {
  if (text.size() > kMaxExpressionBytes) {
    return Error(ErrorCode::kParse, PositionOf(text, 0, at).ToString() + ": expected an expression of at most " +
                                        std::to_string(kMaxExpressionBytes) + " bytes, got " +
                                        std::to_string(text.size()));
  }
  internal::ParseError error;
  internal::NodePtr root = internal::ParseExpression(text, &error);
  if (!root) {
    return Error(ErrorCode::kParse, PositionOf(text, error.offset, at).ToString() + ": " + error.message);
  }
  auto program = std::make_shared<internal::Program>();
  program->text = std::string(text);
  program->root = std::move(root);
  program->required_roots = internal::RequiredRoots(*program->root);
  return Expression(std::move(program));
}

bool Expression::Matches(const nlohmann::json& facts) const {
  if (!program_) return false;
  if (facts.is_object()) {
    for (const std::string& root : program_->required_roots) {
      if (!facts.contains(root)) return false;
    }
  }
  return internal::MatchProgram(*program_, facts);
}

const std::vector<std::string>& Expression::required_roots() const {
  static const std::vector<std::string> kNone;
  return program_ ? program_->required_roots : kNone;
}

nlohmann::json Expression::Evaluate(const nlohmann::json& facts) const {
  return program_ ? internal::EvaluateProgram(*program_, facts) : nlohmann::json();
}

const std::string& Expression::text() const {
  static const std::string kEmpty;
  return program_ ? program_->text : kEmpty;
}

}  // namespace ciiscope::rulelang
