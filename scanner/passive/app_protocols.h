#pragma once
// Small application-protocol parsers for passive discovery: DNS answers,
// DHCP host names, HTTP request lines and SSH banners. Bytes in, plain
// structs out; bounded; no I/O.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/passive/packet_decoder.h"

namespace ciiscope::scanner::passive {

struct DnsAnswer {
  std::string name;  // owner name, lower-case, no trailing dot
  IpAddr address;    // A or AAAA data
};

// Appends the A/AAAA answers of a DNS response (UDP payload) to `out`.
// Returns false when the bytes are not a well-formed DNS response (queries
// give false too); answers parsed before the damage are kept.
bool ParseDnsAnswers(std::span<const std::byte> msg, std::vector<DnsAnswer>& out);

struct DhcpInfo {
  uint8_t op = 0;            // 1 request, 2 reply
  uint8_t message_type = 0;  // option 53
  std::array<uint8_t, 6> mac{};
  IpAddr client;             // ciaddr, else yiaddr, else option 50; version 0 if none
  std::string hostname;      // option 12
};

// BOOTP/DHCP over UDP 67/68. False when not DHCP (no magic cookie) or cut short.
bool ParseDhcp(std::span<const std::byte> msg, DhcpInfo& out);

struct HttpRequestInfo {
  std::string method, uri, host, user_agent;
};

// True when the bytes start with an HTTP method token and a space.
bool LooksLikeHttpRequest(std::span<const std::byte> data);
// Parses the request line and headers when the header block is complete
// ("\r\n\r\n" seen); false while incomplete or when malformed.
bool ParseHttpRequest(std::string_view data, HttpRequestInfo& out);

// The first line if it starts with "SSH-" and ends with LF; empty otherwise.
std::string_view SshBanner(std::string_view data);

// Printable form for evidence: valid UTF-8, control bytes escaped, capped.
std::string SafeText(std::string_view raw, size_t max_bytes = 512);

}  // namespace ciiscope::scanner::passive
