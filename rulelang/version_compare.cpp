// Version ordering for version(x) < "…": segment-wise, numeric runs compared
// as numbers, letter runs as words; distribution suffixes only break ties
// and compare like dpkg (so "~bpo" < "" < "+deb12u3").

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

// dpkg's verrevcmp: letters sort before other characters, '~' before
// everything (even the end), digit runs compare as numbers.
int OrderOf(std::string_view s, size_t i) {
  if (i >= s.size()) return 0;
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (std::isdigit(c)) return 0;
  if (std::isalpha(c)) return c;
  if (c == '~') return -1;
  return c + 256;
}

int DpkgCompare(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  auto digit = [](std::string_view s, size_t k) {
    return k < s.size() && std::isdigit(static_cast<unsigned char>(s[k]));
  };
  while (i < a.size() || j < b.size()) {
    while ((i < a.size() && !digit(a, i)) || (j < b.size() && !digit(b, j))) {
      int ac = OrderOf(a, i), bc = OrderOf(b, j);
      if (ac != bc) return ac < bc ? -1 : 1;
      ++i;
      ++j;
    }
    while (i < a.size() && a[i] == '0') ++i;
    while (j < b.size() && b[j] == '0') ++j;
    int first_diff = 0;
    while (digit(a, i) && digit(b, j)) {
      if (first_diff == 0) first_diff = a[i] - b[j];
      ++i;
      ++j;
    }
    if (digit(a, i)) return 1;
    if (digit(b, j)) return -1;
    if (first_diff != 0) return first_diff < 0 ? -1 : 1;
  }
  return 0;
}

bool StartsWithPreReleaseWord(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && std::isalpha(static_cast<unsigned char>(s[n]))) ++n;
  std::string word(s.substr(0, n));
  std::transform(word.begin(), word.end(), word.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return n > 0 && IsPreRelease(word);
}

// [epoch:]upstream[~pre][-revision]: the revision is what follows the last
// '-' (Debian/RPM release); a revision that is a pre-release word
// ("1.0.0-rc1", semver) counts as '~'.
struct Parts {
  std::string_view epoch;
  std::string_view main;
  bool has_tilde = false;
  std::string_view tilde;
  std::string_view revision;
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
  size_t dash = v.rfind('-');
  if (dash != std::string_view::npos) {
    std::string_view rev = v.substr(dash + 1);
    if (StartsWithPreReleaseWord(rev) && v.find('~') == std::string_view::npos) {
      p.main = v.substr(0, dash);
      p.has_tilde = true;
      p.tilde = rev;
      return p;
    }
    p.revision = rev;
    v = v.substr(0, dash);
  }
  size_t tilde = v.find('~');
  p.main = v.substr(0, tilde);
  if (tilde != std::string_view::npos) {
    p.has_tilde = true;
    p.tilde = v.substr(tilde + 1);
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
  if (x.has_tilde != y.has_tilde) return x.has_tilde ? -1 : 1;
  c = DpkgCompare(x.tilde, y.tilde);
  if (c != 0) return c;
  return DpkgCompare(x.revision, y.revision);
}

}  // namespace ciiscope::rulelang
