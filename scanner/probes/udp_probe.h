#pragma once
// UDP service probes: the datagrams one protocol sends to a UDP port and the
// interpretation of each datagram that comes back. A UDP probe is a plug-in
// like the TCP probes (STYLE.md habits 3 and 4): scanner/probes/<name>/,
// listed once in RegisterBuiltinUdpProbes(). The UDP prober
// (scanner/udp_engine.h) owns sockets, retries, deadlines and caps; a UDP
// probe is pure: bytes out, bytes in, no I/O, so every parser is tested
// without a network.
//
// Every request is read-only (queries, GetRequest, client-mode time
// requests); none asks a server for more than a few hundred bytes.

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ciiscope::scanner {

// What one datagram told a probe: `probe` evidence {"probe": name, …data}.
struct UdpFinding {
  std::string probe;    // evidence name, e.g. "snmp-sysdescr", "dns-version"
  nlohmann::json data;  // strings already made safe (EvidenceText)
};

class UdpProbe {
 public:
  virtual ~UdpProbe() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view description() const = 0;
  // Ports where this probe is sent; on other ports it is sent only when the
  // prober tries every probe (a port no probe is hinted for).
  virtual const std::vector<uint16_t>& port_hints() const = 0;
  // The datagrams of one attempt (each is sent once per attempt).
  virtual std::vector<std::string> Requests() const = 0;
  // Interprets one received datagram (any bytes, any length); nullopt when it
  // is not this protocol's answer to one of Requests().
  virtual std::optional<UdpFinding> Interpret(std::string_view datagram) const = 0;
};

class UdpProbeRegistry {
 public:
  // A later probe with the same name replaces the earlier one.
  void Register(std::unique_ptr<UdpProbe> probe);
  const UdpProbe* Find(std::string_view name) const;
  std::vector<const UdpProbe*> All() const;  // registration order
  // The probes hinted for `port`; every probe when none is.
  std::vector<const UdpProbe*> ForPort(uint16_t port) const;

 private:
  std::vector<std::unique_ptr<UdpProbe>> probes_;
};

// Registers "dns" (version.bind CH TXT + root NS), "snmp" (v2c/v1 GetRequest
// sysDescr/sysObjectID/sysName, community "public") and "ntp" (mode 3 client
// request + mode 6 READVAR).
void RegisterBuiltinUdpProbes(UdpProbeRegistry& registry);

}  // namespace ciiscope::scanner
