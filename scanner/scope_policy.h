#pragma once
// What may be scanned at all: reserved address ranges (refused unless the
// operator overrides) and the authorization gate (CII Regulations Art. 31:
// every target must lie inside a currently valid recorded authorization).
// Pure functions over resolved targets; checked before a packet is sent.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/net.h"
#include "core/result.h"
#include "scanner/targets.h"

namespace ciiscope::scanner {

// The reserved block containing `address` ("224.0.0.0/4 (multicast)"), or
// "" when it is an ordinary address. IPv4-mapped IPv6 addresses
// (::ffff:a.b.c.d) are judged as the IPv4 address they carry.
std::string ReservedBlock(const core::IpAddress& address);

// kInvalidArgument naming the first few reserved targets and how many there
// are, e.g. "refusing reserved address(es) (pass --allow-reserved to scan
// them): 224.0.0.1 (224.0.0.0/4 multicast), 169.254.169.254 (…) and 3 more".
Status RefuseReserved(const std::vector<Target>& targets);

// The scope of one authorization: CIDR blocks and host names. A host-name
// entry covers a target reached through that name (case-insensitive); an
// entry "*.example.edu" or ".example.edu" covers every name under it.
struct AuthScope {
  std::vector<core::Cidr> cidrs;
  std::vector<std::string> hostnames;  // lower case
};

// Parses scope entries (CIDRs, bare addresses, host names, *.domain).
// Errors name the bad entry.
Result<AuthScope> ParseAuthScope(const std::vector<std::string>& entries);

bool Covers(const AuthScope& scope, const Target& target);

// Indices of the targets that no scope covers, in target order.
std::vector<size_t> UncoveredTargets(const std::vector<Target>& targets,
                                     const std::vector<AuthScope>& scopes);

// "10.0.0.1, 10.0.0.2, host.example (192.0.2.1) and 250 more" (first
// `max_listed` of `indices`).
std::string ListTargets(const std::vector<Target>& targets, const std::vector<size_t>& indices,
                        size_t max_listed = 5);

}  // namespace ciiscope::scanner
