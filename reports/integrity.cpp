#include "reports/integrity.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/hash.h"
#include "core/text.h"
#include "reports/json_renderer.h"
#include "reports/report.h"

namespace ciiscope::reports {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSigFormat = "ciiscope-signature/1";

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

std::string Shown(const std::string& path) { return core::Printable(core::SanitizeUtf8(path)); }

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kIo, "cannot read " + Shown(path));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Error(ErrorCode::kIo, "cannot read " + Shown(path));
  return std::move(ss).str();
}

Status WriteSmallFile(const std::string& path, std::string_view data) {
  Status s = WriteFileAtomically(path, data);
  if (!s.has_value()) return Error(ErrorCode::kIo, "cannot write " + Shown(path) + ": " +
                                                       s.error().message());
  return Ok();
}

std::string BaseName(const std::string& path) { return fs::path(path).filename().string(); }

std::string Base64(const unsigned char* data, size_t len) {
  std::string out(4 * ((len + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data,
                          static_cast<int>(len));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::vector<unsigned char>> Unbase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  std::vector<unsigned char> out(text.size() / 4 * 3);
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  size_t pad = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::vector<unsigned char> PublicDer(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int n = i2d_PUBKEY(key, &der);
  if (n <= 0) return {};
  std::vector<unsigned char> out(der, der + n);
  OPENSSL_free(der);
  return out;
}

std::string Fingerprint(const std::vector<unsigned char>& der) {
  return "sha256:" + core::Sha256Hex(std::string_view(reinterpret_cast<const char*>(der.data()),
                                                      der.size()));
}

bool IsEd25519(EVP_PKEY* key) { return EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519; }

// A private key PEM, or (want_private = false) a public or private key PEM.
Result<PkeyPtr> LoadKey(const std::string& path, bool want_private) {
  CII_ASSIGN_OR_RETURN(std::string pem, ReadFile(path));
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  if (!key && !want_private) {
    BioPtr again(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
    key.reset(PEM_read_bio_PUBKEY(again.get(), nullptr, nullptr, nullptr));
  }
  if (!key || !IsEd25519(key.get())) {
    return Error(ErrorCode::kInvalidArgument,
                 Shown(path) + " is not an Ed25519 " + (want_private ? "private " : "") +
                     "key in PEM (make one with `ciiscope keygen --out KEY.pem`)");
  }
  return key;
}

bool Ed25519Verify(EVP_PKEY* key, std::string_view data, const std::vector<unsigned char>& sig) {
  MdCtxPtr ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key) != 1) return false;
  return EVP_DigestVerify(ctx.get(), sig.data(), sig.size(),
                          reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
}

std::map<std::string, std::string> ParseFields(std::string_view text) {
  std::map<std::string, std::string> fields;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    size_t colon = line.find(": ");
    if (colon == std::string::npos) continue;
    fields[line.substr(0, colon)] = line.substr(colon + 2);
  }
  return fields;
}

VerifyOutcome Failed(const std::string& report, const std::string& why) {
  return {false, "FAILED: " + Shown(report) + ": " + why};
}

}  // namespace

// SHA-256 of a file read in 64 KiB chunks (reports can be hundreds of MB).
Result<std::string> Sha256OfFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kIo, "cannot read " + path);
  MdCtxPtr ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return Error(ErrorCode::kInternal, "SHA-256 unavailable");
  }
  std::vector<char> buf(64 * 1024);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0) EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) return Error(ErrorCode::kIo, "cannot read " + path);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex += kHex[md[i] >> 4];
    hex += kHex[md[i] & 15];
  }
  return hex;
}

Result<std::string> WriteDigestFile(const std::string& report_path) {
  CII_ASSIGN_OR_RETURN(std::string digest, Sha256OfFile(report_path));
  std::string path = report_path + ".sha256";
  CII_RETURN_IF_ERROR(WriteSmallFile(path, digest + "  " + BaseName(report_path) + "\n"));
  return path;
}

Result<std::string> SigningKeyFingerprint(const std::string& private_key_pem) {
  CII_ASSIGN_OR_RETURN(PkeyPtr key, LoadKey(private_key_pem, true));
  return Fingerprint(PublicDer(key.get()));
}

Result<SignatureInfo> SignReportFile(const std::string& report_path,
                                     const std::string& private_key_pem) {
  CII_ASSIGN_OR_RETURN(PkeyPtr key, LoadKey(private_key_pem, true));
  CII_ASSIGN_OR_RETURN(std::string data, ReadFile(report_path));
  MdCtxPtr ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char sig[64];
  size_t sig_len = sizeof(sig);
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig, &sig_len, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1) {
    return Error(ErrorCode::kInternal, "cannot sign " + Shown(report_path) + ": OpenSSL failed");
  }
  std::vector<unsigned char> der = PublicDer(key.get());
  SignatureInfo info{report_path + ".sig", Fingerprint(der)};
  std::string text = "format: " + std::string(kSigFormat) + "\nalgorithm: ed25519\nfile: " +
                     BaseName(report_path) + "\nsha256: " + core::Sha256Hex(data) +
                     "\nkey-sha256: " + info.key_fingerprint.substr(7) +
                     "\npublic-key: " + Base64(der.data(), der.size()) +
                     "\nsignature: " + Base64(sig, sig_len) + "\n";
  CII_RETURN_IF_ERROR(WriteSmallFile(info.sig_path, text));
  return info;
}

Result<KeyPairInfo> GenerateSigningKey(const std::string& out_path) {
  std::error_code ec;
  if (fs::exists(out_path, ec)) {
    return Error(ErrorCode::kInvalidArgument,
                 Shown(out_path) + " exists; not overwriting a key (choose another --out)");
  }
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), EVP_PKEY_free);
  if (!key) return Error(ErrorCode::kInternal, "cannot generate an Ed25519 key: OpenSSL failed");
  BioPtr priv(BIO_new(BIO_s_mem()), BIO_free);
  BioPtr pub(BIO_new(BIO_s_mem()), BIO_free);
  if (!priv || !pub ||
      PEM_write_bio_PrivateKey(priv.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
      PEM_write_bio_PUBKEY(pub.get(), key.get()) != 1) {
    return Error(ErrorCode::kInternal, "cannot encode the Ed25519 key: OpenSSL failed");
  }
  auto text = [](BIO* bio) {
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<size_t>(n));
  };
  KeyPairInfo info{out_path, out_path + ".pub", Fingerprint(PublicDer(key.get()))};
  CII_RETURN_IF_ERROR(WriteSmallFile(info.private_key, text(priv.get())));
  CII_RETURN_IF_ERROR(WriteSmallFile(info.public_key, text(pub.get())));
  return info;
}

Result<VerifyOutcome> VerifyReportFile(const std::string& report_path,
                                       const std::optional<std::string>& public_key_pem) {
  CII_ASSIGN_OR_RETURN(std::string data, ReadFile(report_path));
  const std::string digest = core::Sha256Hex(data);
  std::error_code ec;

  // 1. Digest: the detached file, and the embedded one of a JSON report.
  bool digest_checked = false;
  const std::string sha_path = report_path + ".sha256";
  if (fs::exists(sha_path, ec)) {
    CII_ASSIGN_OR_RETURN(std::string line, ReadFile(sha_path));
    if (line.size() < 64 || std::string_view(line).substr(0, 64) != digest) {
      return Failed(report_path, "digest mismatch: content differs from " + Shown(sha_path));
    }
    digest_checked = true;
  }
  if (report_path.ends_with(".json")) {
    // Assessment JSON embeds its digest; sectioned reports (table-report/1,
    // written in one pass) have only the .sha256 beside them.
    Result<bool> embedded = CheckJsonReportDigest(data);
    if (embedded.has_value()) {
      if (!*embedded) return Failed(report_path, "embedded JSON digest does not match the content");
      digest_checked = true;
    }
  }
  if (!digest_checked) {
    return Failed(report_path, "no digest to check (" + Shown(sha_path) + " is missing)");
  }

  // 2. Signature.
  const std::string sig_path = report_path + ".sig";
  if (!fs::exists(sig_path, ec)) {
    if (public_key_pem) return Failed(report_path, "not signed (" + Shown(sig_path) + " is missing)");
    return VerifyOutcome{true, "ok: " + Shown(report_path) + ": digest sha256:" + digest +
                                   " matches (not signed)"};
  }
  CII_ASSIGN_OR_RETURN(std::string sig_text, ReadFile(sig_path));
  auto fields = ParseFields(sig_text);
  auto sig = Unbase64(fields["signature"]);
  auto der = Unbase64(fields["public-key"]);
  if (fields["format"] != kSigFormat || fields["algorithm"] != "ed25519" || !sig || !der) {
    return Failed(report_path, Shown(sig_path) + " is not a ciiscope Ed25519 signature file");
  }
  std::string signer = Fingerprint(*der);
  PkeyPtr key(nullptr, EVP_PKEY_free);
  if (public_key_pem) {
    CII_ASSIGN_OR_RETURN(key, LoadKey(*public_key_pem, false));
    std::string pinned = Fingerprint(PublicDer(key.get()));
    if (pinned != signer) {
      return Failed(report_path, "signed by key " + signer + ", not by " +
                                     Shown(*public_key_pem) + " (" + pinned + ")");
    }
  } else {
    const unsigned char* p = der->data();
    key.reset(d2i_PUBKEY(nullptr, &p, static_cast<long>(der->size())));
    if (!key || !IsEd25519(key.get())) {
      return Failed(report_path, Shown(sig_path) + " carries no Ed25519 public key");
    }
  }
  if (!Ed25519Verify(key.get(), data, *sig)) {
    return Failed(report_path, "bad signature: content or " + Shown(sig_path) +
                                   " altered since signing");
  }
  std::string how = public_key_pem ? "" : " (key not pinned: pass --key PUB.pem)";
  return VerifyOutcome{true, "ok: " + Shown(report_path) + ": digest matches, Ed25519 signature by " +
                                 signer + " valid" + how};
}

}  // namespace ciiscope::reports
