#pragma once
// Port lists as nmap users write them: "22,80,443", "1-1024", "-" (all),
// and the named sets "top100" and "default" (top100 plus the high-risk
// service ports an education network must know about), mixed with commas.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace ciiscope::core {

class PortList {
 public:
  static Result<PortList> Parse(std::string_view spec);
  static PortList Of(std::vector<uint16_t> ports);

  // Sorted, unique, never contains 0.
  const std::vector<uint16_t>& ports() const { return ports_; }
  size_t size() const { return ports_.size(); }
  bool Contains(uint16_t port) const;
  std::string ToString() const;  // compact "22,80,8000-8100"

 private:
  std::vector<uint16_t> ports_;
};

// nmap's 100 most common TCP ports.
const std::vector<uint16_t>& Top100TcpPorts();
// Ports of services that are high risk when exposed (databases, caches,
// container and cluster APIs, remote admin) beyond top100.
const std::vector<uint16_t>& HighRiskTcpPorts();

// nmap's protocol prefixes in one spec: "22,80,U:53,161,T:443" — a "U:"
// item and the items after it are UDP until a "T:" item; items before any
// prefix are TCP, or UDP when `udp_default` (--udp, like nmap -sU alone).
// In a UDP group, "top100" and "default" name TopUdpPorts(). Either list may
// be empty, not both.
struct ProtocolPorts {
  PortList tcp;
  PortList udp;
  // "22,80,U:53,161" / "U:53" / "22,80": parses back to the same lists.
  std::string ToString() const;
};
Result<ProtocolPorts> ParseProtocolPorts(std::string_view spec, bool udp_default = false);

// The UDP ports worth asking on an education network: DNS, DHCP, TFTP,
// portmapper, NTP, NetBIOS, SNMP (+trap), IKE, syslog, RIP, MSSQL browser,
// SSDP, IPsec NAT-T, mDNS, memcached.
const std::vector<uint16_t>& TopUdpPorts();

}  // namespace ciiscope::core
