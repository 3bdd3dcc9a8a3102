#pragma once
// TLS handshake parsing over reassembled stream bytes: ClientHello (SNI,
// JA3), ServerHello (version, cipher, JA3S) and the first server
// certificate (TLS ≤ 1.2 sends it in clear). Bounded, no I/O.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace ciiscope::scanner::passive {

enum class TlsParse : uint8_t {
  kNeedMore,  // the stream so far is a valid prefix; more bytes may complete it
  kDone,      // the message(s) were found
  kNotTls,    // the bytes are not a TLS handshake
};

struct ClientHelloInfo {
  uint16_t version = 0;  // legacy_version of the hello
  std::string sni;
  std::string ja3;       // "771,4865-4866,0-23-65281,29-23,0"
  std::string ja3_md5;
};

struct ServerHelloInfo {
  uint16_t version = 0;  // negotiated (supported_versions wins over legacy_version)
  uint16_t cipher = 0;
  std::string ja3s;
  std::string ja3s_md5;
  std::string cert_der;  // first certificate of the Certificate message; empty if none seen
};

// True when the bytes start like a TLS handshake record (0x16 0x03 0x0X).
bool LooksLikeTlsHandshake(std::span<const std::byte> data);

TlsParse ParseClientHello(std::span<const std::byte> stream, ClientHelloInfo& out);
// kDone once the ServerHello is parsed and either a Certificate message was
// read or the handshake shows none will come in clear (TLS 1.3, or another
// message followed). `stream_complete` says no more bytes will come.
TlsParse ParseServerHello(std::span<const std::byte> stream, bool stream_complete,
                          ServerHelloInfo& out);

// "TLSv1.2"; "0x7f1c" for unknown values.
std::string TlsVersionName(uint16_t version);
// IANA name of common cipher suites ("TLS_AES_128_GCM_SHA256"), else "0x1301".
std::string TlsCipherName(uint16_t cipher);
// GREASE values (RFC 8701) are left out of JA3/JA3S.
bool IsGrease(uint16_t value);
std::string Md5Hex(std::string_view data);

}  // namespace ciiscope::scanner::passive
