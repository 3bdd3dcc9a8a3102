#pragma once
// Internal: tokens of the expression language. Errors carry a byte offset;
// Compile turns it into file:line:col.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace ciiscope::rulelang::internal {

enum class Tok {
  kEnd, kIdent, kString, kNumber,
  kLParen, kRParen, kLBracket, kRBracket, kComma, kDot,
  kEq, kNe, kLt, kLe, kGt, kGe, kMatch, kNotMatch,
  kAnd, kOr, kNot, kMinus,
};

struct Token {
  Tok kind = Tok::kEnd;
  size_t offset = 0;
  std::string text;       // identifier name, or the source spelling
  nlohmann::json value;   // kString / kNumber (durations are seconds)
};

struct LexError {
  size_t offset = 0;
  std::string message;  // "expected …"
};

// Tokenizes all of `text`; the last token is kEnd. Returns false and fills
// `error` on the first bad character, string or number.
bool Tokenize(std::string_view text, std::vector<Token>* tokens, LexError* error);

// "')'", "identifier 'foo'", "end of expression", …  — for "got …" messages.
std::string Describe(const Token& token);

}  // namespace ciiscope::rulelang::internal
