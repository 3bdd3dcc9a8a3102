#pragma once
// Internal: recursive-descent parser from tokens to the compiled tree.
// Grammar (lowest precedence first):
//   or      := and ('||' and)*
//   and     := compare ('&&' compare)*
//   compare := unary [op unary]      op: == != < <= > >= =~ !~ in contains startswith endswith
//   unary   := '!' unary | '-' unary | postfix
//   postfix := primary ('.' ident | '[' or ']')*
//   primary := literal | ident | 'it' | func '(' args ')' | '(' or ')' | '[' list ']'

#include <string>
#include <string_view>

#include "rulelang/ast.h"

namespace ciiscope::rulelang::internal {

struct ParseError {
  size_t offset = 0;
  std::string message;  // "expected …, got …"
};

// Returns the root node, or nullptr with `error` filled.
NodePtr ParseExpression(std::string_view text, ParseError* error);

}  // namespace ciiscope::rulelang::internal
