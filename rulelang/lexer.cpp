#include "rulelang/lexer.h"

#include <cctype>
#include <cstdint>
#include <cstdlib>

namespace ciiscope::rulelang::internal {
namespace {

bool IsIdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class Lexer {
 public:
  Lexer(std::string_view text, std::vector<Token>* tokens, LexError* error)
      : s_(text), tokens_(tokens), error_(error) {}

  bool Run() {
    while (true) {
      SkipSpace();
      if (i_ >= s_.size()) {
        Push(Tok::kEnd, i_, 0);
        return true;
      }
      if (!Next()) return false;
    }
  }

 private:
  bool Fail(size_t at, std::string message) {
    error_->offset = at;
    error_->message = std::move(message);
    return false;
  }
  void Push(Tok kind, size_t at, size_t len) {
    Token t;
    t.kind = kind;
    t.offset = at;
    t.text = std::string(s_.substr(at, len));
    tokens_->push_back(std::move(t));
  }
  char Peek(size_t k = 0) const { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }

  void SkipSpace() {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++i_;
      } else if (c == '#') {  // comment to end of line
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      } else {
        return;
      }
    }
  }

  bool Next() {
    size_t at = i_;
    char c = s_[i_];
    auto two = [&](char second) { return Peek(1) == second; };
    switch (c) {
      case '(': ++i_; Push(Tok::kLParen, at, 1); return true;
      case ')': ++i_; Push(Tok::kRParen, at, 1); return true;
      case '[': ++i_; Push(Tok::kLBracket, at, 1); return true;
      case ']': ++i_; Push(Tok::kRBracket, at, 1); return true;
      case ',': ++i_; Push(Tok::kComma, at, 1); return true;
      case '.': ++i_; Push(Tok::kDot, at, 1); return true;
      case '-': ++i_; Push(Tok::kMinus, at, 1); return true;
      case '"':
      case '\'':
        return String(c);
      case '=':
        if (two('=')) { i_ += 2; Push(Tok::kEq, at, 2); return true; }
        if (two('~')) { i_ += 2; Push(Tok::kMatch, at, 2); return true; }
        return Fail(at, "expected '==' or '=~', got '='");
      case '!':
        if (two('=')) { i_ += 2; Push(Tok::kNe, at, 2); return true; }
        if (two('~')) { i_ += 2; Push(Tok::kNotMatch, at, 2); return true; }
        ++i_; Push(Tok::kNot, at, 1); return true;
      case '<':
        if (two('=')) { i_ += 2; Push(Tok::kLe, at, 2); return true; }
        ++i_; Push(Tok::kLt, at, 1); return true;
      case '>':
        if (two('=')) { i_ += 2; Push(Tok::kGe, at, 2); return true; }
        ++i_; Push(Tok::kGt, at, 1); return true;
      case '&':
        if (two('&')) { i_ += 2; Push(Tok::kAnd, at, 2); return true; }
        return Fail(at, "expected '&&', got '&'");
      case '|':
        if (two('|')) { i_ += 2; Push(Tok::kOr, at, 2); return true; }
        return Fail(at, "expected '||', got '|'");
      default:
        break;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) return Number();
    if (IsIdentStart(c)) {
      while (i_ < s_.size() && IsIdentChar(s_[i_])) ++i_;
      Push(Tok::kIdent, at, i_ - at);
      return true;
    }
    if (static_cast<unsigned char>(c) >= 0x80) {
      return Fail(at, "expected an operator, a field or a literal, got a non-ASCII character "
                      "(quote text as a string)");
    }
    std::string shown = std::isprint(static_cast<unsigned char>(c)) ? std::string(1, c) : "?";
    return Fail(at, "expected an operator, a field or a literal, got '" + shown + "'");
  }

  bool String(char quote) {
    size_t at = i_++;
    std::string out;
    while (true) {
      if (i_ >= s_.size()) return Fail(at, std::string("expected a closing ") + quote + " for this string");
      char c = s_[i_];
      if (c == quote) {
        ++i_;
        break;
      }
      if (c != '\\') {
        out.push_back(c);
        ++i_;
        continue;
      }
      size_t esc = i_;
      char e = Peek(1);
      i_ += 2;
      switch (e) {
        case '\\': out.push_back('\\'); break;
        case '"': out.push_back('"'); break;
        case '\'': out.push_back('\''); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case '0': out.push_back('\0'); break;
        case 'x': {
          int hi = HexValue(Peek(0)), lo = HexValue(Peek(1));
          if (hi < 0 || lo < 0) return Fail(esc, "expected two hex digits after \\x");
          out.push_back(static_cast<char>(hi * 16 + lo));  // a raw byte
          i_ += 2;
          break;
        }
        case 'u': {
          uint32_t cp = 0;
          for (int k = 0; k < 4; ++k) {
            int h = HexValue(Peek(k));
            if (h < 0) return Fail(esc, "expected four hex digits after \\u");
            cp = cp * 16 + static_cast<uint32_t>(h);
          }
          if (cp >= 0xD800 && cp <= 0xDFFF) return Fail(esc, "expected a non-surrogate code point after \\u");
          i_ += 4;
          AppendUtf8(cp, &out);
          break;
        }
        case '\0':
          if (esc + 1 >= s_.size()) return Fail(at, std::string("expected a closing ") + quote + " for this string");
          [[fallthrough]];
        default:
          // Unknown escapes stay as written, so regexes read naturally: "\d+\.\d+".
          out.push_back('\\');
          out.push_back(e);
          break;
      }
    }
    Push(Tok::kString, at, i_ - at);
    tokens_->back().value = std::move(out);
    return true;
  }

  bool Number() {
    size_t at = i_;
    bool is_float = false;
    while (std::isdigit(static_cast<unsigned char>(Peek()))) ++i_;
    if (Peek() == '.' && std::isdigit(static_cast<unsigned char>(Peek(1)))) {
      is_float = true;
      ++i_;
      while (std::isdigit(static_cast<unsigned char>(Peek()))) ++i_;
      if (Peek() == '.' && std::isdigit(static_cast<unsigned char>(Peek(1)))) {
        return Fail(at, "expected a number; quote version strings, e.g. \"1.18.0\"");
      }
    }
    if ((Peek() == 'e' || Peek() == 'E') &&
        (std::isdigit(static_cast<unsigned char>(Peek(1))) ||
         ((Peek(1) == '+' || Peek(1) == '-') && std::isdigit(static_cast<unsigned char>(Peek(2)))))) {
      is_float = true;
      i_ += 2;
      while (std::isdigit(static_cast<unsigned char>(Peek()))) ++i_;
    }
    std::string spelled(s_.substr(at, i_ - at));
    double unit = 0;
    if (!IsIdentChar(Peek(1))) {
      switch (Peek()) {
        case 'd': unit = 86400; break;
        case 'h': unit = 3600; break;
        case 'm': unit = 60; break;
        case 's': unit = 1; break;
        default: break;
      }
    }
    if (unit != 0) ++i_;
    if (IsIdentChar(Peek())) {
      return Fail(at, "expected a number or a duration (30d, 12h, 15m, 10s), got '" +
                          std::string(s_.substr(at, i_ - at + 1)) + "'");
    }
    Push(Tok::kNumber, at, i_ - at);
    nlohmann::json value;
    if (!is_float && spelled.size() <= (unit != 0 ? 12u : 18u)) {
      int64_t v = std::strtoll(spelled.c_str(), nullptr, 10);
      value = unit != 0 ? nlohmann::json(v * static_cast<int64_t>(unit)) : nlohmann::json(v);
    } else {
      double v = std::strtod(spelled.c_str(), nullptr);
      value = unit != 0 ? v * unit : v;
    }
    tokens_->back().value = std::move(value);
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
  std::vector<Token>* tokens_;
  LexError* error_;
};

}  // namespace

bool Tokenize(std::string_view text, std::vector<Token>* tokens, LexError* error) {
  tokens->clear();
  return Lexer(text, tokens, error).Run();
}

std::string Describe(const Token& token) {
  switch (token.kind) {
    case Tok::kEnd: return "end of expression";
    case Tok::kIdent: return "'" + token.text + "'";
    case Tok::kString: return "string " + (token.text.size() > 40 ? token.text.substr(0, 37) + "..." : token.text);
    case Tok::kNumber: return "number " + token.text;
    default: return "'" + token.text + "'";
  }
}

}  // namespace ciiscope::rulelang::internal
