#pragma once
// DNS probe: one CHAOS-class TXT query for version.bind (read-only, no
// recursion asked) → `probe` evidence {"probe": "dns-version", "transport":
// "tcp"|"udp", "rcode": 0, "rcode_name": "NOERROR", "authoritative": bool,
// "recursion_available": bool, "version": "9.18.28-1~deb12u2-Debian"}. Over
// TCP the messages carry the RFC 1035 4.2.2 two-byte length prefix.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "scanner/probes/probe.h"

namespace ciiscope::scanner {

struct DnsVersionReply {
  bool complete = false;     // a whole message (TCP: prefix and message), or not DNS
  bool well_formed = false;  // a response to our query id with a parsable header
  uint16_t id = 0;
  int rcode = 0;
  bool authoritative = false;
  bool recursion_available = false;
  bool has_version = false;
  std::string version;       // the TXT strings joined (capped)
};

inline constexpr uint16_t kDnsVersionQueryId = 0x6369;  // "ci"

// The query message (without the TCP length prefix).
std::string DnsVersionQuery();
// Pure: interprets one UDP datagram / the TCP bytes received so far.
DnsVersionReply ParseDnsVersionReply(std::string_view message);
DnsVersionReply ParseDnsVersionReplyTcp(std::string_view bytes);
std::string_view DnsRcodeName(int rcode);

std::unique_ptr<ServiceProbe> MakeDnsTcpProbe();

// Over UDP (dns_udp_probe.cpp) the probe also asks ". IN NS" with recursion
// desired → `probe` evidence {"probe": "dns-root", "rcode", "rcode_name",
// "authoritative", "recursion_available", "truncated_flag", "answers",
// "authority"}: a server that answers it with recursion available is an
// open resolver (the query is what `dig . NS` sends; read-only).
struct DnsRootReply {
  bool well_formed = false;  // a response to our root query id
  int rcode = 0;
  bool authoritative = false;
  bool recursion_available = false;
  bool truncated = false;  // the TC bit
  uint16_t answers = 0, authority = 0;
};
inline constexpr uint16_t kDnsRootQueryId = 0x636a;  // "cj"
std::string DnsRootQuery();
DnsRootReply ParseDnsRootReply(std::string_view message);

class UdpProbe;
std::unique_ptr<UdpProbe> MakeDnsUdpProbe();

}  // namespace ciiscope::scanner
