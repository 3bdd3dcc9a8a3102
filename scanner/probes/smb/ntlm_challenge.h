#pragma once
// NTLMSSP (MS-NLMP) for the SMB probe's read-only identification step: the
// NEGOTIATE message we send inside an SMB2 SESSION_SETUP, and the parser of
// the CHALLENGE a server answers with. The challenge names the host without
// any credential: OS version (major.minor.build), NetBIOS and DNS computer
// and domain names, the forest (tree) and the server's clock. The session is
// never completed (no AUTHENTICATE message is sent). Pure functions, every
// offset and length checked against the message.

#include <cstdint>
#include <string>
#include <string_view>

namespace ciiscope::scanner {

struct NtlmChallenge {
  bool well_formed = false;  // "NTLMSSP\0", type 2, header inside the bytes
  uint32_t flags = 0;
  bool has_version = false;
  int version_major = 0, version_minor = 0, version_build = 0, ntlm_revision = 0;
  std::string target_name;  // UTF-8 (capped)
  std::string netbios_computer, netbios_domain, dns_computer, dns_domain, dns_tree;
  uint64_t timestamp = 0;   // FILETIME from MsvAvTimestamp, 0 when absent
  bool target_info_truncated = false;  // an AV pair ran past the message
};

// The NTLMSSP NEGOTIATE message (unicode, NTLM, extended session security,
// request target, version).
std::string NtlmNegotiateMessage();
// The NEGOTIATE wrapped in a SPNEGO NegTokenInit offering NTLMSSP.
std::string SpnegoNtlmNegotiate();
// Finds "NTLMSSP\0" followed by a CHALLENGE in `bytes` (a SPNEGO blob or a
// raw token) and parses it; !well_formed when there is none.
NtlmChallenge FindNtlmChallenge(std::string_view bytes);
NtlmChallenge ParseNtlmChallenge(std::string_view message);
// Little-endian integers of `n` bytes (the caller checks the bounds), shared
// with smb_probe.cpp.
uint64_t ReadLe(std::string_view bytes, size_t at, size_t n);
void AppendLe(std::string* out, uint64_t value, size_t n);

// UTF-16LE → UTF-8; unpaired surrogates and odd trailing bytes → U+FFFD; at
// most `cap` code points.
std::string Utf16LeToUtf8(std::string_view bytes, size_t cap = 256);

}  // namespace ciiscope::scanner
