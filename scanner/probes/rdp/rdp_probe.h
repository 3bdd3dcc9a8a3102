#pragma once
// RDP probe: an X.224 Connection Request carrying an RDP Negotiation Request
// for TLS and CredSSP (MS-RDPBCGR 2.2.1.1), nothing more → `probe` evidence
// {"probe": "rdp-negotiate", "x224": "connection-confirm", "negotiation":
// "response"|"failure"|"none", "selected_protocol": "rdp"|"ssl"|"hybrid"|
// "rdstls"|"hybrid_ex", "nla": bool, "flags": n, "failure_code": n}.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "scanner/probes/probe.h"

namespace ciiscope::scanner {

struct RdpConnectionConfirm {
  bool complete = false;     // a whole TPKT, or bytes that cannot be one
  bool well_formed = false;  // TPKT v3 with an X.224 Connection Confirm
  bool has_negotiation = false;
  bool failure = false;      // RDP_NEG_FAILURE instead of RDP_NEG_RSP
  uint8_t flags = 0;
  uint32_t selected_protocol = 0;  // RDP_NEG_RSP
  uint32_t failure_code = 0;       // RDP_NEG_FAILURE
};

// Pure: interprets the bytes received so far.
RdpConnectionConfirm ParseRdpConnectionConfirm(std::string_view bytes);
// The X.224 Connection Request the probe sends (requests SSL | HYBRID).
std::string RdpConnectionRequest();
// 0 → "rdp", 1 → "ssl", 2 → "hybrid", 4 → "rdstls", 8 → "hybrid_ex", else "unknown".
std::string_view RdpProtocolName(uint32_t protocol);

std::unique_ptr<ServiceProbe> MakeRdpProbe();

}  // namespace ciiscope::scanner
