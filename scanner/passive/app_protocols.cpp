#include "scanner/passive/app_protocols.h"

#include <cstring>

#include "core/text.h"

namespace ciiscope::scanner::passive {
namespace {

inline uint8_t U8(std::span<const std::byte> d, size_t i) { return std::to_integer<uint8_t>(d[i]); }
inline uint16_t U16(std::span<const std::byte> d, size_t i) {
  return static_cast<uint16_t>((U8(d, i) << 8) | U8(d, i + 1));
}

constexpr int kMaxDnsPointerJumps = 32;
constexpr size_t kMaxDnsName = 255;
constexpr uint16_t kMaxDnsAnswers = 256;

// Reads a (possibly compressed) name at `pos`; advances `pos` past it in
// the record. False when malformed or when pointers loop.
bool ReadDnsName(std::span<const std::byte> msg, size_t& pos, std::string* name) {
  size_t p = pos;
  bool jumped = false;
  int jumps = 0;
  if (name) name->clear();
  while (true) {
    if (p >= msg.size()) return false;
    const uint8_t len = U8(msg, p);
    if (len == 0) {
      if (!jumped) pos = p + 1;
      return true;
    }
    if ((len & 0xC0) == 0xC0) {
      if (p + 1 >= msg.size() || ++jumps > kMaxDnsPointerJumps) return false;
      const size_t target = ((len & 0x3F) << 8) | U8(msg, p + 1);
      if (!jumped) pos = p + 2;
      jumped = true;
      p = target;
      continue;
    }
    if ((len & 0xC0) != 0) return false;  // extended label types
    if (p + 1 + len > msg.size()) return false;
    if (name) {
      if (!name->empty()) *name += '.';
      if (name->size() + len > kMaxDnsName) return false;
      for (size_t i = 0; i < len; ++i) {
        char c = static_cast<char>(U8(msg, p + 1 + i));
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        *name += c;
      }
    }
    p += 1 + len;
  }
}

bool StartsWith(std::span<const std::byte> d, std::string_view prefix) {
  return d.size() >= prefix.size() && std::memcmp(d.data(), prefix.data(), prefix.size()) == 0;
}

}  // namespace

bool ParseDnsAnswers(std::span<const std::byte> msg, std::vector<DnsAnswer>& out) {
  if (msg.size() < 12) return false;
  const uint16_t flags = U16(msg, 2);
  if ((flags & 0x8000) == 0) return false;     // a query
  if (((flags >> 11) & 0xF) != 0) return false;  // not a standard query response
  const uint16_t qd = U16(msg, 4);
  const uint16_t an = U16(msg, 6);
  size_t pos = 12;
  for (uint16_t i = 0; i < qd; ++i) {
    if (!ReadDnsName(msg, pos, nullptr)) return false;
    if (pos + 4 > msg.size()) return false;
    pos += 4;
  }
  std::string name;
  for (uint16_t i = 0; i < an && i < kMaxDnsAnswers; ++i) {
    if (!ReadDnsName(msg, pos, &name)) return false;
    if (pos + 10 > msg.size()) return false;
    const uint16_t type = U16(msg, pos);
    const uint16_t klass = U16(msg, pos + 2);
    const size_t rdlen = U16(msg, pos + 8);
    pos += 10;
    if (pos + rdlen > msg.size()) return false;
    if ((klass & 0x7FFF) == 1 && ((type == 1 && rdlen == 4) || (type == 28 && rdlen == 16))) {
      DnsAnswer a;
      a.name = name;
      a.address.version = type == 1 ? 4 : 6;
      std::memcpy(a.address.bytes.data(), msg.data() + pos, rdlen);
      out.push_back(std::move(a));
    }
    pos += rdlen;
  }
  return true;
}

bool ParseDhcp(std::span<const std::byte> msg, DhcpInfo& out) {
  constexpr size_t kFixed = 236;
  if (msg.size() < kFixed + 4) return false;
  if (U8(msg, kFixed) != 99 || U8(msg, kFixed + 1) != 130 || U8(msg, kFixed + 2) != 83 ||
      U8(msg, kFixed + 3) != 99) {
    return false;
  }
  out = DhcpInfo{};
  out.op = U8(msg, 0);
  if (U8(msg, 1) == 1 && U8(msg, 2) == 6) std::memcpy(out.mac.data(), msg.data() + 28, 6);
  auto take_addr = [&](size_t off) {
    IpAddr a;
    a.version = 4;
    std::memcpy(a.bytes.data(), msg.data() + off, 4);
    if (out.client.version == 0 && a.IsHostAddress()) out.client = a;
  };
  take_addr(12);  // ciaddr
  take_addr(16);  // yiaddr
  IpAddr requested;
  size_t pos = kFixed + 4;
  while (pos < msg.size()) {
    const uint8_t code = U8(msg, pos);
    if (code == 255) break;
    if (code == 0) {
      ++pos;
      continue;
    }
    if (pos + 2 > msg.size()) break;
    const size_t len = U8(msg, pos + 1);
    if (pos + 2 + len > msg.size()) break;
    const auto body = msg.subspan(pos + 2, len);
    if (code == 12 && len > 0) {
      out.hostname = SafeText({reinterpret_cast<const char*>(body.data()), len}, 255);
    } else if (code == 53 && len == 1) {
      out.message_type = U8(body, 0);
    } else if (code == 50 && len == 4) {
      requested.version = 4;
      std::memcpy(requested.bytes.data(), body.data(), 4);
    }
    pos += 2 + len;
  }
  if (out.client.version == 0 && requested.IsHostAddress()) out.client = requested;
  return true;
}

bool LooksLikeHttpRequest(std::span<const std::byte> d) {
  static constexpr std::string_view kMethods[] = {"GET ",     "POST ",  "HEAD ",  "PUT ",
                                                  "DELETE ",  "OPTIONS ", "PATCH ", "CONNECT "};
  for (auto m : kMethods) {
    if (StartsWith(d, m)) return true;
  }
  return false;
}

bool ParseHttpRequest(std::string_view data, HttpRequestInfo& out) {
  const size_t end = data.find("\r\n\r\n");
  if (end == std::string_view::npos) return false;
  std::string_view head = data.substr(0, end + 2);
  size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  const size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return false;
  const size_t sp2 = line.find(' ', sp1 + 1);
  out.method = SafeText(line.substr(0, sp1), 16);
  out.uri = SafeText(line.substr(sp1 + 1, sp2 == std::string_view::npos ? std::string_view::npos
                                                                          : sp2 - sp1 - 1),
                     2048);
  head.remove_prefix(eol + 2);
  while (!head.empty()) {
    eol = head.find("\r\n");
    if (eol == std::string_view::npos) break;
    std::string_view h = head.substr(0, eol);
    head.remove_prefix(eol + 2);
    const size_t colon = h.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string name = core::ToLower(core::TrimSpace(h.substr(0, colon)));
    const std::string_view value = core::TrimSpace(h.substr(colon + 1));
    if (name == "host" && out.host.empty()) out.host = SafeText(value, 512);
    if (name == "user-agent" && out.user_agent.empty()) out.user_agent = SafeText(value, 512);
  }
  return true;
}

std::string_view SshBanner(std::string_view data) {
  if (!data.starts_with("SSH-")) return {};
  const size_t eol = data.find('\n');
  if (eol == std::string_view::npos || eol > 255) return {};
  std::string_view line = data.substr(0, eol);
  if (line.ends_with('\r')) line.remove_suffix(1);
  return line;
}

std::string SafeText(std::string_view raw, size_t max_bytes) {
  return core::TruncateUtf8(core::Printable(raw.substr(0, max_bytes * 4)), max_bytes);
}

}  // namespace ciiscope::scanner::passive
