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

}  // namespace ciiscope::core
