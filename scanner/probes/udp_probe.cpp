#include "scanner/probes/udp_probe.h"

#include <algorithm>

#include "scanner/probes/dns/dns_probe.h"
#include "scanner/probes/ntp/ntp_probe.h"
#include "scanner/probes/snmp/snmp_probe.h"

namespace ciiscope::scanner {

void UdpProbeRegistry::Register(std::unique_ptr<UdpProbe> probe) {
  for (auto& p : probes_) {
    if (p->name() == probe->name()) {
      p = std::move(probe);
      return;
    }
  }
  probes_.push_back(std::move(probe));
}

const UdpProbe* UdpProbeRegistry::Find(std::string_view name) const {
  for (const auto& p : probes_) {
    if (p->name() == name) return p.get();
  }
  return nullptr;
}

std::vector<const UdpProbe*> UdpProbeRegistry::All() const {
  std::vector<const UdpProbe*> out;
  for (const auto& p : probes_) out.push_back(p.get());
  return out;
}

std::vector<const UdpProbe*> UdpProbeRegistry::ForPort(uint16_t port) const {
  std::vector<const UdpProbe*> out;
  for (const auto& p : probes_) {
    const auto& hints = p->port_hints();
    if (std::find(hints.begin(), hints.end(), port) != hints.end()) out.push_back(p.get());
  }
  return out.empty() ? All() : out;
}

void RegisterBuiltinUdpProbes(UdpProbeRegistry& registry) {
  registry.Register(MakeDnsUdpProbe());
  registry.Register(MakeSnmpProbe());
  registry.Register(MakeNtpProbe());
}

}  // namespace ciiscope::scanner
