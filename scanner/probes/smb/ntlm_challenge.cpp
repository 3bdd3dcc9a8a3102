#include "scanner/probes/smb/ntlm_challenge.h"

#include "scanner/probes/common/ber.h"

namespace ciiscope::scanner {
namespace {

constexpr std::string_view kSignature("NTLMSSP\0", 8);
constexpr size_t kChallengeHeader = 48;  // without the optional Version
constexpr uint32_t kNegotiateVersion = 0x02000000;
constexpr size_t kMaxAvPairs = 64;
constexpr size_t kMaxName = 256;

uint64_t Le(std::string_view b, size_t at, size_t n) { return ReadLe(b, at, n); }
void PutLe(std::string* out, uint64_t v, size_t n) { AppendLe(out, v, n); }

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

// The (length, offset) field at `at` → the bytes it points to, or nullopt-ish
// (false) when it points outside the message.
bool Field(std::string_view m, size_t at, std::string_view* out) {
  const size_t len = Le(m, at, 2);
  const size_t offset = Le(m, at + 4, 4);
  if (offset > m.size() || len > m.size() - offset) return false;
  *out = m.substr(offset, len);
  return true;
}

}  // namespace

uint64_t ReadLe(std::string_view b, size_t at, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t{static_cast<uint8_t>(b[at + i])} << (8 * i);
  return v;
}

void AppendLe(std::string* out, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::string Utf16LeToUtf8(std::string_view b, size_t cap) {
  std::string out;
  size_t points = 0;
  for (size_t i = 0; i < b.size() && points < cap; ++points) {
    if (i + 1 >= b.size()) {  // odd trailing byte
      AppendUtf8(&out, 0xfffd);
      break;
    }
    uint32_t u = static_cast<uint32_t>(Le(b, i, 2));
    i += 2;
    if (u >= 0xd800 && u <= 0xdbff && i + 1 < b.size()) {
      uint32_t low = static_cast<uint32_t>(Le(b, i, 2));
      if (low >= 0xdc00 && low <= 0xdfff) {
        i += 2;
        AppendUtf8(&out, 0x10000 + ((u - 0xd800) << 10) + (low - 0xdc00));
        continue;
      }
    }
    AppendUtf8(&out, (u >= 0xd800 && u <= 0xdfff) ? 0xfffd : u);
  }
  return out;
}

std::string NtlmNegotiateMessage() {
  std::string m(kSignature);
  PutLe(&m, 1, 4);  // NEGOTIATE
  // UNICODE | REQUEST_TARGET | NTLM | ALWAYS_SIGN | EXTENDED_SESSIONSECURITY |
  // VERSION | 128 | 56
  PutLe(&m, 0xa2088205, 4);
  m.append(16, '\0');  // DomainNameFields, WorkstationFields: empty
  m.append(8, '\0');   // Version: none of ours to tell
  return m;
}

std::string SpnegoNtlmNegotiate() {
  const std::string ntlm_oid = BerEncodeOid("1.3.6.1.4.1.311.2.2.10");
  const std::string init = BerEncode(
      0x30, BerEncode(0xa0, BerEncode(0x30, ntlm_oid)) + BerEncode(0xa2, BerEncode(0x04, NtlmNegotiateMessage())));
  return BerEncode(0x60, BerEncodeOid("1.3.6.1.5.5.2") + BerEncode(0xa0, init));
}

NtlmChallenge FindNtlmChallenge(std::string_view bytes) {
  size_t at = bytes.find(kSignature);
  if (at == std::string_view::npos) return {};
  return ParseNtlmChallenge(bytes.substr(at));
}

NtlmChallenge ParseNtlmChallenge(std::string_view m) {
  NtlmChallenge c;
  if (m.size() < kChallengeHeader || !m.starts_with(kSignature) || Le(m, 8, 4) != 2) return c;
  c.well_formed = true;
  c.flags = static_cast<uint32_t>(Le(m, 20, 4));
  std::string_view name, info;
  if (Field(m, 12, &name)) c.target_name = Utf16LeToUtf8(name, kMaxName);
  const size_t info_offset = Le(m, 44, 4);
  if ((c.flags & kNegotiateVersion) && m.size() >= kChallengeHeader + 8 &&
      (info_offset == 0 || info_offset >= kChallengeHeader + 8)) {
    c.has_version = true;
    c.version_major = static_cast<uint8_t>(m[48]);
    c.version_minor = static_cast<uint8_t>(m[49]);
    c.version_build = static_cast<int>(Le(m, 50, 2));
    c.ntlm_revision = static_cast<uint8_t>(m[55]);
  }
  if (!Field(m, 40, &info)) {
    c.target_info_truncated = Le(m, 40, 2) != 0;
    return c;
  }
  size_t at = 0;
  for (size_t n = 0; n < kMaxAvPairs; ++n) {
    if (at + 4 > info.size()) {
      c.target_info_truncated = true;
      break;
    }
    const uint16_t id = static_cast<uint16_t>(Le(info, at, 2));
    const size_t len = Le(info, at + 2, 2);
    at += 4;
    if (id == 0) break;  // MsvAvEOL
    if (len > info.size() - at) {
      c.target_info_truncated = true;
      break;
    }
    std::string_view value = info.substr(at, len);
    at += len;
    switch (id) {
      case 1: c.netbios_computer = Utf16LeToUtf8(value, kMaxName); break;
      case 2: c.netbios_domain = Utf16LeToUtf8(value, kMaxName); break;
      case 3: c.dns_computer = Utf16LeToUtf8(value, kMaxName); break;
      case 4: c.dns_domain = Utf16LeToUtf8(value, kMaxName); break;
      case 5: c.dns_tree = Utf16LeToUtf8(value, kMaxName); break;
      case 7:
        if (len == 8) c.timestamp = Le(value, 0, 8);
        break;
      default: break;
    }
  }
  return c;
}

}  // namespace ciiscope::scanner
