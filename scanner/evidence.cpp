#include "scanner/evidence.h"

#include "core/clock.h"

namespace ciiscope::scanner {
namespace {

std::string AddressForUrl(const core::IpAddress& address) {
  return address.is_v6() ? "[" + address.ToString() + "]" : address.ToString();
}

}  // namespace

inventory::Observation MakeObservation(const Target& target, uint16_t port, std::string_view kind) {
  inventory::Observation obs;
  obs.address = target.address.ToString();
  obs.hostname = target.hostname;
  obs.transport = port != 0 ? "tcp" : "";
  obs.port = port;
  obs.kind = std::string(kind);
  obs.time = core::NowMillis();
  return obs;
}

std::string ServiceUrl(std::string_view scheme, const Target& target, uint16_t port) {
  return std::string(scheme) + "://" + AddressForUrl(target.address) + ":" + std::to_string(port) + "/";
}

std::string HostHeader(std::string_view scheme, const Target& target, uint16_t port) {
  std::string host = target.hostname.empty() ? AddressForUrl(target.address) : target.hostname;
  bool default_port = (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  return default_port ? host : host + ":" + std::to_string(port);
}

}  // namespace ciiscope::scanner
