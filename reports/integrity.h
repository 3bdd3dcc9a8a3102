#pragma once
// Report integrity (docs/report-integrity.md): a detached SHA-256 digest
// beside every report, an optional detached Ed25519 signature, and the check
// `ciiscope verify` runs.
//
//   REPORT.sha256  "<64 hex>  <file name>\n" — the format of sha256sum, so
//                  `sha256sum -c REPORT.sha256` checks it too.
//   REPORT.sig     "key: value" lines: format, algorithm (ed25519), file,
//                  sha256, key-sha256 (SHA-256 of the DER public key),
//                  public-key (base64 DER SubjectPublicKeyInfo), signature
//                  (base64 Ed25519 over the report's bytes).
//
// All functions are thread-compatible (no shared state) and return one-line
// errors that name the file.

#include <optional>
#include <string>

#include "core/result.h"

namespace ciiscope::reports {

// Writes REPORT.sha256 (atomically). Returns its path.
Result<std::string> WriteDigestFile(const std::string& report_path);

struct SignatureInfo {
  std::string sig_path;         // REPORT.sig
  std::string key_fingerprint;  // "sha256:<hex>" of the DER public key
};
// Signs REPORT's bytes with the Ed25519 private key in private_key_pem and
// writes REPORT.sig. Errors: kIo (unreadable files), kInvalidArgument (not
// an Ed25519 private key).
Result<SignatureInfo> SignReportFile(const std::string& report_path,
                                     const std::string& private_key_pem);

// "sha256:<hex>" of the public half of an Ed25519 private key PEM; the
// check `report --sign` makes before writing anything.
Result<std::string> SigningKeyFingerprint(const std::string& private_key_pem);

struct KeyPairInfo {
  std::string private_key;  // out_path, mode 0600
  std::string public_key;   // out_path + ".pub"
  std::string fingerprint;  // "sha256:<hex>"
};
// New Ed25519 key pair as PEM (PKCS#8 private, SubjectPublicKeyInfo public).
// Refuses (kInvalidArgument) to overwrite an existing out_path.
Result<KeyPairInfo> GenerateSigningKey(const std::string& out_path);

struct VerifyOutcome {
  bool ok = false;
  std::string line;  // one line: "ok: …" or "FAILED: … <which check>"
};
// Checks REPORT against REPORT.sha256 (and, for a JSON report, its embedded
// digest), then REPORT.sig if present. With public_key_pem (a public or a
// private key PEM) the signature must exist and be by that key; without it a
// present signature is checked against the key it carries and the line says
// the key is not pinned. A missing report is an error (kIo); a failed check
// is an outcome with ok = false.
Result<VerifyOutcome> VerifyReportFile(const std::string& report_path,
                                       const std::optional<std::string>& public_key_pem);

}  // namespace ciiscope::reports
