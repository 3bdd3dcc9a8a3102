#pragma once
// What the `tls` evidence says about a certificate, computed from the
// certificate alone (no I/O, no verification against a trust store).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

typedef struct x509_st X509;  // NOLINT: OpenSSL's own forward declaration

namespace ciiscope::scanner {

struct CertSummary {
  std::string subject;  // one line, RFC 2253 ("CN=www.example.edu,O=Example")
  std::string issuer;
  std::vector<std::string> sans;  // DNS names and IP addresses, as written
  std::string not_before;         // ISO 8601 UTC, "2026-11-29T00:00:00Z"
  std::string not_after;
  int64_t days_left = 0;  // whole days from `now` to not_after; negative once expired
  bool self_signed = false;  // issuer == subject and the signature verifies with its own key
  std::string key_type;      // RSA, EC, ED25519, ED448, DSA, DH, or the OpenSSL short name
  int key_bits = 0;
  std::string sig_alg;  // "sha256WithRSAEncryption"
  std::string sha256;   // lower-case hex of the DER encoding
};

// Borrowed certificate; `now_millis` is Unix ms (core::NowMillis()).
Result<CertSummary> SummarizeCertificate(X509* cert, int64_t now_millis);
Result<CertSummary> SummarizeCertificateDer(std::span<const std::byte> der, int64_t now_millis);

// The `cert` object of the tls evidence schema, as JSON text.
std::string CertSummaryJson(const CertSummary& summary);

}  // namespace ciiscope::scanner
