#pragma once
// SMB probe: one SMB2 NEGOTIATE over direct TCP (MS-SMB2 2.2.3, dialects
// 2.0.2 to 3.0.2; no session setup, no credentials) → `probe` evidence
// {"probe": "smb-negotiate", "dialect": "3.0.2", "signing_enabled": bool,
// "signing_required": bool, "server_guid": "…", "capabilities": n,
// "max_transact_size": n, "max_read_size": n, "max_write_size": n,
// "system_time": "2026-…Z", "mechanisms": ["NTLMSSP", "Kerberos", …]}.
// A server that answers with SMB1 only is noted as {"smb1_only": true}.
// Then, when the server offers NTLMSSP, one SESSION_SETUP carrying an
// NTLMSSP NEGOTIATE (SPNEGO-wrapped; no credentials, never completed) →
// {"probe": "smb-ntlm", "status": 3221225494, "os_version": "10.0.20348",
// "os_major": 10, "os_minor": 0, "os_build": 20348, "ntlm_revision": 15,
// "target_name": "CORP", "netbios_computer": "DC01", "netbios_domain": "CORP",
// "dns_computer": "dc01.corp.edu.cn", "dns_domain": "corp.edu.cn",
// "dns_tree": "corp.edu.cn", "system_time": "2026-…Z"} (ntlm_challenge.h).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/probes/probe.h"

namespace ciiscope::scanner {

struct Smb2NegotiateResponse {
  bool complete = false;     // a whole NetBIOS session message, or bytes that cannot be one
  bool well_formed = false;  // an SMB2 NEGOTIATE response with STATUS_SUCCESS
  bool smb1 = false;         // the server answered with an SMB1 header
  uint32_t status = 0;
  uint16_t security_mode = 0;
  uint16_t dialect = 0;
  std::string server_guid;   // 8-4-4-4-12 hex
  uint32_t capabilities = 0;
  uint32_t max_transact_size = 0;
  uint32_t max_read_size = 0;
  uint32_t max_write_size = 0;
  uint64_t system_time = 0;  // FILETIME (100 ns since 1601)
  std::vector<std::string> mechanisms;  // from the SPNEGO security blob
};

// Pure: interprets the bytes received so far.
Smb2NegotiateResponse ParseSmb2Negotiate(std::string_view bytes);

struct Smb2SessionSetupReply {
  bool complete = false;     // a whole NetBIOS session message, or bytes that cannot be one
  bool well_formed = false;  // an SMB2 SESSION_SETUP response header
  uint32_t status = 0;       // STATUS_MORE_PROCESSING_REQUIRED (0xc0000016) carries the CHALLENGE
  std::string security_blob;
};
std::string Smb2SessionSetupRequest();
Smb2SessionSetupReply ParseSmb2SessionSetup(std::string_view bytes);
std::string Smb2NegotiateRequest();
// 0x0302 → "3.0.2", 0x02ff → "2.???" (wildcard), others as hex.
std::string SmbDialectName(uint16_t dialect);
// FILETIME → "YYYY-MM-DDTHH:MM:SSZ" ("" when zero or out of range).
std::string FileTimeUtc(uint64_t filetime);

std::unique_ptr<ServiceProbe> MakeSmbProbe();

}  // namespace ciiscope::scanner
