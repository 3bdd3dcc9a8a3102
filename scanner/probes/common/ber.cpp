#include "scanner/probes/common/ber.h"

#include <charconv>
#include <vector>

namespace ciiscope::scanner {

BerStatus ReadBer(std::string_view b, BerTlv* out) {
  if (b.size() < 2) return BerStatus::kNeedMore;
  auto byte = [&](size_t i) { return static_cast<uint8_t>(b[i]); };
  if ((byte(0) & 0x1f) == 0x1f) return BerStatus::kBad;
  size_t header = 2;
  size_t length = byte(1);
  if (length & 0x80) {
    size_t n = length & 0x7f;
    if (n == 0 || n > 4) return BerStatus::kBad;  // indefinite or absurd
    if (b.size() < 2 + n) return BerStatus::kNeedMore;
    length = 0;
    for (size_t i = 0; i < n; ++i) length = length << 8 | byte(2 + i);
    header += n;
  }
  if (b.size() - header < length) return BerStatus::kNeedMore;
  out->tag = byte(0);
  out->value = b.substr(header, length);
  out->total = header + length;
  return BerStatus::kOk;
}

bool BerReader::Next(BerTlv* out) {
  if (!ok_ || rest_.empty()) return false;
  if (ReadBer(rest_, out) != BerStatus::kOk) {
    ok_ = false;
    return false;
  }
  rest_.remove_prefix(out->total);
  return true;
}

bool BerInteger(std::string_view c, int64_t* out) {
  if (c.empty() || c.size() > 8) return false;
  int64_t v = (static_cast<uint8_t>(c[0]) & 0x80) ? -1 : 0;
  for (char ch : c) v = static_cast<int64_t>(static_cast<uint64_t>(v) << 8 | static_cast<uint8_t>(ch));
  *out = v;
  return true;
}

std::string BerOid(std::string_view c) {
  std::string out;
  uint64_t v = 0;
  bool first = true;
  size_t digits = 0;
  for (char ch : c) {
    auto u = static_cast<uint8_t>(ch);
    if (++digits > 9) return "";  // a sub-identifier over 63 bits
    v = v << 7 | (u & 0x7f);
    if (u & 0x80) continue;
    if (first) {
      uint64_t a = v < 40 ? 0 : (v < 80 ? 1 : 2);
      out = std::to_string(a) + "." + std::to_string(v - a * 40);
      first = false;
    } else {
      out += "." + std::to_string(v);
    }
    v = 0;
    digits = 0;
  }
  return digits == 0 ? out : "";
}

std::string BerEncode(uint8_t tag, std::string_view contents) {
  std::string out(1, static_cast<char>(tag));
  size_t n = contents.size();
  if (n < 0x80) {
    out.push_back(static_cast<char>(n));
  } else {
    std::string len;
    for (size_t v = n; v > 0; v >>= 8) len.insert(len.begin(), static_cast<char>(v & 0xff));
    out.push_back(static_cast<char>(0x80 | len.size()));
    out += len;
  }
  out += contents;
  return out;
}

std::string BerEncodeInteger(uint8_t tag, int64_t value) {
  std::string c;
  auto u = static_cast<uint64_t>(value);
  for (int i = 7; i >= 0; --i) c.push_back(static_cast<char>((u >> (8 * i)) & 0xff));
  // Minimal two's complement: drop leading bytes that only repeat the sign.
  while (c.size() > 1 && ((c[0] == 0 && !(c[1] & 0x80)) ||
                          (static_cast<uint8_t>(c[0]) == 0xff && (c[1] & 0x80)))) {
    c.erase(c.begin());
  }
  return BerEncode(tag, c);
}

std::string BerEncodeOid(std::string_view dotted) {
  std::vector<uint64_t> arcs;
  while (!dotted.empty()) {
    size_t dot = dotted.find('.');
    std::string_view part = dotted.substr(0, dot);
    uint64_t v = 0;
    std::from_chars(part.data(), part.data() + part.size(), v);
    arcs.push_back(v);
    if (dot == std::string_view::npos) break;
    dotted.remove_prefix(dot + 1);
  }
  std::string c;
  auto put = [&](uint64_t v) {
    std::string tmp(1, static_cast<char>(v & 0x7f));
    for (v >>= 7; v > 0; v >>= 7) tmp.insert(tmp.begin(), static_cast<char>(0x80 | (v & 0x7f)));
    c += tmp;
  };
  if (arcs.size() >= 2) put(arcs[0] * 40 + arcs[1]);
  for (size_t i = 2; i < arcs.size(); ++i) put(arcs[i]);
  return BerEncode(0x06, c);
}

}  // namespace ciiscope::scanner
