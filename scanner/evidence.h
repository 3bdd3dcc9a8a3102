#pragma once
// Building observations (inventory/model/observation.h) the same way
// everywhere in the scanner.

#include <cstdint>
#include <string>
#include <string_view>

#include "inventory/model/observation.h"
#include "scanner/targets.h"

namespace ciiscope::scanner {

// address, hostname, transport "tcp", port, kind and time filled in; the
// caller adds data_json (and state/raw where the kind has them). Port 0
// makes a host-level observation (transport "").
inventory::Observation MakeObservation(const Target& target, uint16_t port, std::string_view kind);

// "http://10.0.0.5:8080/" / "https://[::1]:443/".
std::string ServiceUrl(std::string_view scheme, const Target& target, uint16_t port);

// Value for a Host header: the hostname if known, else the address
// ("[::1]" for IPv6), with ":port" unless it is the scheme's default.
std::string HostHeader(std::string_view scheme, const Target& target, uint16_t port);

}  // namespace ciiscope::scanner
