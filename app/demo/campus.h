#pragma once
// The demo campus layout as data: which host serves what on which standard
// port, the ports expected closed, and the findings an audit should raise.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace ciiscope::app::demo {

enum class ServiceKind { kHttpPortal, kHttpDefault, kHttps, kSsh, kRedis, kTelnet, kFtp };

std::string_view ServiceKindName(ServiceKind kind);

struct ServiceSpec {
  int host_octet = 0;        // last octet of the address
  std::string hostname;
  uint16_t standard_port = 0;
  ServiceKind kind = ServiceKind::kHttpPortal;
  std::string description;
};

struct ClosedSpec {
  int host_octet = 0;
  uint16_t port = 0;
};

// Ports fall back to standard + kFallbackPortOffset when the standard one
// cannot be bound (no privilege, or a foreign wildcard listener).
inline constexpr uint16_t kFallbackPortOffset = 10000;

const std::vector<ServiceSpec>& CampusServices();
const std::vector<ClosedSpec>& CampusClosedCandidates();
const std::vector<std::string>& CampusExpectedFindings();

// "127.77.0" → ok; anything that is not three octets inside 127.0.0.0/8 is
// refused (the demo never leaves loopback).
Status ValidateBase(std::string_view base);
std::string HostAddress(std::string_view base, int host_octet);

}  // namespace ciiscope::app::demo
