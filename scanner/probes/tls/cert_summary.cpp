#include "scanner/probes/tls/cert_summary.h"

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <netinet/in.h>

#include <cstring>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/net.h"
#include "core/text.h"

namespace ciiscope::scanner {
namespace {

constexpr size_t kMaxNameBytes = 1024;
constexpr size_t kMaxSans = 256;

std::string NameOneLine(const X509_NAME* name) {
  if (name == nullptr) return "";
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio) return "";
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  std::string text(data, len > 0 ? static_cast<size_t>(len) : 0);
  return core::TruncateUtf8(core::Printable(core::SanitizeUtf8(text)), kMaxNameBytes);
}

// Unix seconds of an ASN1_TIME, or false when it cannot be read.
bool AsnTimeToUnix(const ASN1_TIME* t, int64_t* out) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return false;
  *out = static_cast<int64_t>(timegm(&tm));
  return true;
}

std::string KeyTypeName(const EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA: return "RSA";
    case EVP_PKEY_RSA_PSS: return "RSA-PSS";
    case EVP_PKEY_EC: return "EC";
    case EVP_PKEY_ED25519: return "ED25519";
    case EVP_PKEY_ED448: return "ED448";
    case EVP_PKEY_DSA: return "DSA";
    case EVP_PKEY_DH: return "DH";
    default: {
      const char* name = EVP_PKEY_get0_type_name(key);
      return name != nullptr ? name : "unknown";
    }
  }
}

std::vector<std::string> SubjectAltNames(X509* cert) {
  std::vector<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return out;
  int count = sk_GENERAL_NAME_num(names);
  for (int i = 0; i < count && out.size() < kMaxSans; ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    if (gn->type == GEN_DNS) {
      const ASN1_IA5STRING* s = gn->d.dNSName;
      std::string text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), ASN1_STRING_length(s));
      out.push_back(core::TruncateUtf8(core::Printable(core::SanitizeUtf8(text)), kMaxNameBytes));
    } else if (gn->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* s = gn->d.iPAddress;
      int len = ASN1_STRING_length(s);
      const unsigned char* p = ASN1_STRING_get0_data(s);
      sockaddr_storage ss{};
      if (len == 4) {
        auto* in = reinterpret_cast<sockaddr_in*>(&ss);
        in->sin_family = AF_INET;
        std::memcpy(&in->sin_addr, p, 4);
      } else if (len == 16) {
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
        in6->sin6_family = AF_INET6;
        std::memcpy(&in6->sin6_addr, p, 16);
      } else {
        continue;
      }
      if (auto addr = core::IpAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&ss))) {
        out.push_back(addr->ToString());
      }
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

std::string Hex(const unsigned char* p, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[p[i] >> 4]);
    out.push_back(kDigits[p[i] & 0xF]);
  }
  return out;
}

}  // namespace

Result<CertSummary> SummarizeCertificate(X509* cert, int64_t now_millis) {
  if (cert == nullptr) return Error(ErrorCode::kInvalidArgument, "no certificate");
  CertSummary s;
  s.subject = NameOneLine(X509_get_subject_name(cert));
  s.issuer = NameOneLine(X509_get_issuer_name(cert));
  s.sans = SubjectAltNames(cert);
  int64_t not_before = 0, not_after = 0;
  if (AsnTimeToUnix(X509_get0_notBefore(cert), &not_before)) {
    s.not_before = core::FormatIsoTime(not_before * 1000);
  }
  if (AsnTimeToUnix(X509_get0_notAfter(cert), &not_after)) {
    s.not_after = core::FormatIsoTime(not_after * 1000);
    int64_t seconds_left = not_after - now_millis / 1000;
    // Floor division: a certificate that expired an hour ago has -1 days left.
    s.days_left = seconds_left >= 0 ? seconds_left / 86400 : -((-seconds_left + 86399) / 86400);
  }
  if (EVP_PKEY* key = X509_get0_pubkey(cert)) {
    s.key_type = KeyTypeName(key);
    s.key_bits = EVP_PKEY_get_bits(key);
    s.self_signed = X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) == 0 &&
                    X509_verify(cert, key) == 1;
  }
  int sig_nid = X509_get_signature_nid(cert);
  const char* sig_name = sig_nid != NID_undef ? OBJ_nid2ln(sig_nid) : nullptr;
  s.sig_alg = sig_name != nullptr ? sig_name : "unknown";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (X509_digest(cert, EVP_sha256(), md, &md_len) == 1) s.sha256 = Hex(md, md_len);
  return s;
}

Result<CertSummary> SummarizeCertificateDer(std::span<const std::byte> der, int64_t now_millis) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      d2i_X509(nullptr, &p, static_cast<long>(der.size())), &X509_free);
  if (!cert) return Error(ErrorCode::kParse, "not a DER-encoded X.509 certificate");
  return SummarizeCertificate(cert.get(), now_millis);
}

std::string CertSummaryJson(const CertSummary& s) {
  nlohmann::json j = {{"subject", s.subject},     {"issuer", s.issuer},
                      {"sans", s.sans},           {"not_before", s.not_before},
                      {"not_after", s.not_after}, {"days_left", s.days_left},
                      {"self_signed", s.self_signed}, {"key_type", s.key_type},
                      {"key_bits", s.key_bits},   {"sig_alg", s.sig_alg},
                      {"sha256", s.sha256}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace ciiscope::scanner
