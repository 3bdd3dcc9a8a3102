#pragma once
// NTP probe (UDP 123), read-only, in one attempt:
//   * a mode 3 (client) request, as any NTP client sends → `probe` evidence
//     {"probe": "ntp", "ntp_version": 4, "mode": 4, "leap": 0, "stratum": 2,
//      "refid": "192.0.2.1" | "GPS" | "INIT", "precision": -24, "poll": 6,
//      "root_delay_ms": 0.5, "root_dispersion_ms": 10.1, "origin_matches": true,
//      "synchronized": true};
//   * a mode 6 READVAR (what `ntpq -c rv` sends; never mode 7, no monlist) →
//     {"probe": "ntp-readvar", "text": "version=\"ntpd 4.2.8p15…\", …",
//      "version": "ntpd 4.2.8p15@1.3728-o …", "system": "Linux/6.1.0",
//      "processor": "x86_64", "error": false, "more": false}.
// ntpd and ntpsec answer READVAR when queries are allowed; chrony does not
// implement mode 6, so its only evidence is the mode 3 reply.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace ciiscope::scanner {

class UdpProbe;

// Our transmit timestamp; a server echoes it as the reply's origin timestamp.
inline constexpr std::string_view kNtpNonce = "ciiscope";
inline constexpr uint16_t kNtpControlSequence = 0x6369;

struct NtpReply {
  bool well_formed = false;  // 48+ bytes in server (4) or broadcast (5) mode
  int version = 0, mode = 0, leap = 0, stratum = 0, poll = 0, precision = 0;
  std::string refid;  // ASCII code (stratum 0, 1, 16) or dotted IPv4 (an IPv6 peer's hash shows as one)
  double root_delay_ms = 0, root_dispersion_ms = 0;
  bool origin_matches = false;
};

struct NtpControlReply {
  bool well_formed = false;  // a mode 6 READVAR response to our sequence number
  bool error = false, more = false;
  uint16_t offset = 0;
  std::string text;  // the variables (at most the fragment's count bytes)
  std::string version, system, processor;  // unquoted values when present
};

std::string NtpClientRequest();
std::string NtpReadVarRequest();
NtpReply ParseNtpReply(std::string_view datagram);
NtpControlReply ParseNtpControlReply(std::string_view datagram);
// The value of `name` in "a=1, b=\"x, y\", …" (quotes removed); "" when absent.
std::string NtpVariable(std::string_view text, std::string_view name);

std::unique_ptr<UdpProbe> MakeNtpProbe();

}  // namespace ciiscope::scanner
