// Version ordering for version(x) < "…": segment-wise, numeric runs compared
// as numbers, letter runs as words; distribution suffixes only break ties.

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "rulelang/expression.h"

namespace ciiscope::rulelang {
namespace {

struct Piece {
  bool numeric;
  std::string_view text;  // digits without leading zeros, or a lower-cased word
  std::string word;
};

std::vector<Piece> Split(std::string_view s) {
  std::vector<Piece> out;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t j = i;
    if (std::isdigit(c)) {
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      std::string_view digits = s.substr(i, j - i);
      size_t nz = digits.find_first_not_of('0');
      digits = nz == std::string_view::npos ? std::string_view("0") : digits.substr(nz);
      out.push_back(Piece{true, digits, ""});
    } else if (std::isalpha(c)) {
      while (j < s.size() && std::isalpha(static_cast<unsigned char>(s[j]))) ++j;
      std::string word(s.substr(i, j - i));
      std::transform(word.begin(), word.end(), word.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      out.push_back(Piece{false, {}, std::move(word)});
    } else {
      j = i + 1;  // separators ('.', '_', …) only split
    }
    i = j;
  }
  return out;
}

bool IsPreRelease(const std::string& word) {
  return word == "alpha" || word == "a" || word == "beta" || word == "b" || word == "rc" ||
         word == "pre" || word == "dev" || word == "preview" || word == "snapshot";
}

int ComparePiece(const Piece& a, const Piece& b) {
  if (a.numeric && b.numeric) {
    if (a.text.size() != b.text.size()) return a.text.size() < b.text.size() ? -1 : 1;
    int c = a.text.compare(b.text);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (a.numeric != b.numeric) return a.numeric ? 1 : -1;  // 1.0.1 > 1.0a
  int c = a.word.compare(b.word);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// When one side has run out, what the other side's remaining piece means.
int Tail(const Piece& extra) {
  if (!extra.numeric && IsPreRelease(extra.word)) return -1;  // 1.0rc1 < 1.0
  return 1;                                                   // 7.4p1 > 7.4
}

int ComparePieces(std::string_view a, std::string_view b) {
  std::vector<Piece> x = Split(a), y = Split(b);
  size_t n = std::min(x.size(), y.size());
  for (size_t i = 0; i < n; ++i) {
    int c = ComparePiece(x[i], y[i]);
    if (c != 0) return c;
  }
  if (x.size() > n) return Tail(x[n]);
  if (y.size() > n) return -Tail(y[n]);
  return 0;
}

struct Parts {
  std::string_view epoch;
  std::string_view main;
  char suffix_kind = 0;  // 0, '-', '+' or '~'
  std::string_view suffix;
};

Parts Parse(std::string_view v) {
  Parts p;
  size_t colon = v.find(':');
  if (colon != std::string_view::npos && colon > 0 &&
      std::all_of(v.begin(), v.begin() + static_cast<long>(colon),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
    p.epoch = v.substr(0, colon);
    v = v.substr(colon + 1);
  }
  size_t cut = v.find_first_of("-+~");
  p.main = v.substr(0, cut);
  if (cut != std::string_view::npos) {
    p.suffix_kind = v[cut];
    p.suffix = v.substr(cut + 1);
  }
  return p;
}

}  // namespace

int CompareVersions(std::string_view a, std::string_view b) {
  Parts x = Parse(a), y = Parse(b);
  int c = ComparePieces(x.epoch.empty() ? "0" : x.epoch, y.epoch.empty() ? "0" : y.epoch);
  if (c != 0) return c;
  c = ComparePieces(x.main, y.main);
  if (c != 0) return c;
  auto rank = [](char kind) { return kind == '~' ? -1 : (kind == 0 ? 0 : 1); };
  if (rank(x.suffix_kind) != rank(y.suffix_kind)) return rank(x.suffix_kind) < rank(y.suffix_kind) ? -1 : 1;
  return ComparePieces(x.suffix, y.suffix);
}

}  // namespace ciiscope::rulelang
