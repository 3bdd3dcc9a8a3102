#include "scanner/passive/tls_hello.h"

#include <openssl/evp.h>

#include <cstdio>
#include <vector>

namespace ciiscope::scanner::passive {
namespace {

// A bounds-checked reader: any read past the end sets `ok` false and returns 0.
struct Reader {
  std::span<const std::byte> d;
  size_t pos = 0;
  bool ok = true;

  size_t left() const { return ok ? d.size() - pos : 0; }
  uint32_t Read(int n) {
    if (!ok || d.size() - pos < static_cast<size_t>(n)) {
      ok = false;
      return 0;
    }
    uint32_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | std::to_integer<uint8_t>(d[pos++]);
    return v;
  }
  std::span<const std::byte> Take(size_t n) {
    if (!ok || d.size() - pos < n) {
      ok = false;
      return {};
    }
    auto s = d.subspan(pos, n);
    pos += n;
    return s;
  }
};

constexpr size_t kMaxHandshakeBytes = 64 * 1024;

// Concatenates the payloads of leading handshake records into `out`.
// Returns false when a record is not a handshake record.
bool CollectHandshake(std::span<const std::byte> stream, std::string& out, bool* complete_tail) {
  Reader r{stream};
  out.clear();
  *complete_tail = true;
  while (r.left() > 0) {
    if (r.left() < 5) {
      *complete_tail = false;
      break;
    }
    const uint32_t type = r.Read(1);
    const uint32_t major = r.Read(1);
    r.Read(1);
    const uint32_t len = r.Read(2);
    if (major != 3) return false;
    if (type != 22) {
      // ChangeCipherSpec (20) or later records end the clear handshake.
      if (type == 20 || type == 21 || type == 23) break;
      return false;
    }
    if (r.left() < len) {
      out.append(reinterpret_cast<const char*>(stream.data() + r.pos), r.left());
      *complete_tail = false;
      break;
    }
    auto body = r.Take(len);
    out.append(reinterpret_cast<const char*>(body.data()), body.size());
    if (out.size() > kMaxHandshakeBytes) break;
  }
  return true;
}

std::span<const std::byte> AsBytes(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

void AppendList(std::string& out, const std::vector<uint16_t>& values) {
  bool first = true;
  for (uint16_t v : values) {
    if (!first) out += '-';
    out += std::to_string(v);
    first = false;
  }
}

}  // namespace

bool IsGrease(uint16_t v) { return (v & 0x0F0F) == 0x0A0A && (v >> 8) == (v & 0xFF); }

std::string Md5Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_md5(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (unsigned int i = 0; i < n; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 0xF];
  }
  return out;
}

bool LooksLikeTlsHandshake(std::span<const std::byte> d) {
  return d.size() >= 3 && std::to_integer<uint8_t>(d[0]) == 22 &&
         std::to_integer<uint8_t>(d[1]) == 3 && std::to_integer<uint8_t>(d[2]) <= 4;
}

TlsParse ParseClientHello(std::span<const std::byte> stream, ClientHelloInfo& out) {
  std::string hs;
  bool complete = false;
  if (!CollectHandshake(stream, hs, &complete)) return TlsParse::kNotTls;
  Reader m{AsBytes(hs)};
  if (m.left() < 4) return TlsParse::kNeedMore;
  if (m.Read(1) != 1) return TlsParse::kNotTls;  // not a ClientHello
  const uint32_t len = m.Read(3);
  if (m.left() < len) return hs.size() > kMaxHandshakeBytes ? TlsParse::kNotTls : TlsParse::kNeedMore;
  Reader r{m.Take(len)};
  out.version = static_cast<uint16_t>(r.Read(2));
  r.Take(32);              // random
  r.Take(r.Read(1));       // session id
  std::vector<uint16_t> ciphers, exts, groups, formats;
  Reader c{r.Take(r.Read(2))};
  while (c.ok && c.left() >= 2) {
    const auto v = static_cast<uint16_t>(c.Read(2));
    if (!IsGrease(v)) ciphers.push_back(v);
  }
  r.Take(r.Read(1));  // compression methods
  if (r.ok && r.left() >= 2) {
    Reader e{r.Take(r.Read(2))};
    while (e.ok && e.left() >= 4) {
      const auto type = static_cast<uint16_t>(e.Read(2));
      Reader body{e.Take(e.Read(2))};
      if (!e.ok) break;
      if (!IsGrease(type)) exts.push_back(type);
      if (type == 0) {  // server_name
        Reader list{body.Take(body.Read(2))};
        while (list.ok && list.left() >= 3) {
          const uint32_t name_type = list.Read(1);
          auto name = list.Take(list.Read(2));
          if (list.ok && name_type == 0 && out.sni.empty()) {
            out.sni.assign(reinterpret_cast<const char*>(name.data()), name.size());
          }
        }
      } else if (type == 10) {  // supported_groups
        Reader g{body.Take(body.Read(2))};
        while (g.ok && g.left() >= 2) {
          const auto v = static_cast<uint16_t>(g.Read(2));
          if (!IsGrease(v)) groups.push_back(v);
        }
      } else if (type == 11) {  // ec_point_formats
        Reader f{body.Take(body.Read(1))};
        while (f.ok && f.left() >= 1) formats.push_back(static_cast<uint16_t>(f.Read(1)));
      }
    }
  }
  if (!r.ok) return TlsParse::kNotTls;
  out.ja3 = std::to_string(out.version) + ',';
  AppendList(out.ja3, ciphers);
  out.ja3 += ',';
  AppendList(out.ja3, exts);
  out.ja3 += ',';
  AppendList(out.ja3, groups);
  out.ja3 += ',';
  AppendList(out.ja3, formats);
  out.ja3_md5 = Md5Hex(out.ja3);
  return TlsParse::kDone;
}

TlsParse ParseServerHello(std::span<const std::byte> stream, bool stream_complete,
                          ServerHelloInfo& out) {
  std::string hs;
  bool complete = false;
  if (!CollectHandshake(stream, hs, &complete)) return TlsParse::kNotTls;
  Reader m{AsBytes(hs)};
  if (m.left() < 4) return stream_complete ? TlsParse::kNotTls : TlsParse::kNeedMore;
  if (m.Read(1) != 2) return TlsParse::kNotTls;
  const uint32_t len = m.Read(3);
  if (m.left() < len) return stream_complete ? TlsParse::kNotTls : TlsParse::kNeedMore;
  Reader r{m.Take(len)};
  const auto legacy = static_cast<uint16_t>(r.Read(2));
  r.Take(32);
  r.Take(r.Read(1));
  out.cipher = static_cast<uint16_t>(r.Read(2));
  r.Read(1);  // compression
  out.version = legacy;
  std::vector<uint16_t> exts;
  if (r.ok && r.left() >= 2) {
    Reader e{r.Take(r.Read(2))};
    while (e.ok && e.left() >= 4) {
      const auto type = static_cast<uint16_t>(e.Read(2));
      Reader body{e.Take(e.Read(2))};
      if (!e.ok) break;
      if (!IsGrease(type)) exts.push_back(type);
      if (type == 43 && body.left() >= 2) out.version = static_cast<uint16_t>(body.Read(2));
    }
  }
  if (!r.ok) return TlsParse::kNotTls;
  out.ja3s = std::to_string(legacy) + ',' + std::to_string(out.cipher) + ',';
  AppendList(out.ja3s, exts);
  out.ja3s_md5 = Md5Hex(out.ja3s);
  if (out.version >= 0x0304) return TlsParse::kDone;  // certificate is encrypted
  // Look for the Certificate message among the following handshake messages.
  while (m.ok && m.left() >= 4) {
    const uint32_t type = m.Read(1);
    const uint32_t mlen = m.Read(3);
    if (m.left() < mlen) return stream_complete ? TlsParse::kDone : TlsParse::kNeedMore;
    Reader body{m.Take(mlen)};
    if (type != 11) {
      if (type == 14 || type == 12 || type == 13) return TlsParse::kDone;  // done/kex: no cert
      continue;
    }
    Reader list{body.Take(body.Read(3))};
    auto der = list.Take(list.Read(3));
    if (list.ok) out.cert_der.assign(reinterpret_cast<const char*>(der.data()), der.size());
    return TlsParse::kDone;
  }
  return stream_complete ? TlsParse::kDone : TlsParse::kNeedMore;
}

std::string TlsVersionName(uint16_t v) {
  switch (v) {
    case 0x0300: return "SSLv3";
    case 0x0301: return "TLSv1";
    case 0x0302: return "TLSv1.1";
    case 0x0303: return "TLSv1.2";
    case 0x0304: return "TLSv1.3";
    default: {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "0x%04x", v);
      return buf;
    }
  }
}

std::string TlsCipherName(uint16_t c) {
  struct Entry {
    uint16_t id;
    const char* name;
  };
  static constexpr Entry kNames[] = {
      {0x0005, "TLS_RSA_WITH_RC4_128_SHA"},
      {0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
      {0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA"},
      {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"},
      {0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256"},
      {0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256"},
      {0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384"},
      {0x1301, "TLS_AES_128_GCM_SHA256"},
      {0x1302, "TLS_AES_256_GCM_SHA384"},
      {0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
      {0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"},
      {0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"},
      {0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
      {0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
      {0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"},
      {0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
      {0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
      {0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
      {0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
      {0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
      {0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
  };
  for (const auto& e : kNames) {
    if (e.id == c) return e.name;
  }
  char buf[8];
  std::snprintf(buf, sizeof(buf), "0x%04x", c);
  return buf;
}

}  // namespace ciiscope::scanner::passive
