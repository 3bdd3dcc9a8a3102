#pragma once
// Test helper: SMB2 server answers (NEGOTIATE, SESSION_SETUP carrying an
// NTLMSSP CHALLENGE) for the SMB parser and probe tests.
#include <cstdint>
#include <string>
#include <string_view>

#include "scanner/probes/common/ber.h"

namespace ciiscope::scanner::smbtest {

inline void PutLe(std::string* out, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

inline std::string FromHex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// The CHALLENGE_MESSAGE of MS-NLMP 4.2.4.3 (the NTLMv2 example): target
// "Server" in domain "Domain", Version 6.0.6000, NTLM revision 15.
inline std::string NlmpExampleChallenge() {
  return FromHex(
      "4e544c4d53535000020000000c000c003800000033828ae20123456789abcdef"
      "00000000000000002400240044000000060070170000000f5300650072007600"
      "6500720002000c0044006f006d00610069006e0001000c005300650072007600"
      "6500720000000000");
}

inline std::string SmbHeader(uint16_t command, uint32_t status) {
  std::string smb = "\xfeSMB";
  PutLe(&smb, 64, 2);
  PutLe(&smb, 0, 2);
  PutLe(&smb, status, 4);
  PutLe(&smb, command, 2);
  PutLe(&smb, 1, 2);
  PutLe(&smb, 1, 4);  // response flag
  smb.append(64 - smb.size(), '\0');
  return smb;
}

inline std::string Frame(const std::string& msg) {
  std::string out(2, '\0');
  out.push_back(static_cast<char>(msg.size() >> 8));
  out.push_back(static_cast<char>(msg.size() & 0xff));
  return out + msg;
}

inline std::string SmbNegotiateResponse(uint16_t dialect, uint16_t security_mode) {
  std::string blob = BerEncode(
      0x60, BerEncodeOid("1.3.6.1.5.5.2") +
                BerEncode(0xa0, BerEncode(0x30, BerEncode(0xa0, BerEncode(0x30,
                    BerEncodeOid("1.2.840.48018.1.2.2") + BerEncodeOid("1.3.6.1.4.1.311.2.2.10"))))));
  std::string p;
  PutLe(&p, 65, 2);
  PutLe(&p, security_mode, 2);
  PutLe(&p, dialect, 2);
  PutLe(&p, 0, 2);
  for (int b : {0x78, 0x56, 0x34, 0x12, 0x34, 0x12, 0x78, 0x56, 1, 2, 3, 4, 5, 6, 7, 8}) {
    p.push_back(static_cast<char>(b));
  }
  PutLe(&p, 0x2f, 4);
  PutLe(&p, 8388608, 4);
  PutLe(&p, 8388608, 4);
  PutLe(&p, 8388608, 4);
  PutLe(&p, 133000000000000000ULL, 8);  // 2022-06-18
  PutLe(&p, 0, 8);
  PutLe(&p, 128, 2);  // blob offset: header 64 + fixed 64
  PutLe(&p, blob.size(), 2);
  PutLe(&p, 0, 4);
  return Frame(SmbHeader(0, 0) + p + blob);
}

// SESSION_SETUP response, STATUS_MORE_PROCESSING_REQUIRED, with `token` as
// the security buffer (wrapped in a SPNEGO NegTokenResp like Windows does).
inline std::string SmbSessionSetupResponse(const std::string& ntlm) {
  std::string token = BerEncode(0xa1, BerEncode(0x30, BerEncode(0xa0, BerEncode(0x0a, "\x01")) +
                                                          BerEncode(0xa2, BerEncode(0x04, ntlm))));
  std::string p;
  PutLe(&p, 9, 2);
  PutLe(&p, 0, 2);          // SessionFlags
  PutLe(&p, 64 + 8, 2);     // SecurityBufferOffset
  PutLe(&p, token.size(), 2);
  return Frame(SmbHeader(1, 0xc0000016) + p + token);
}

}  // namespace ciiscope::scanner::smbtest
