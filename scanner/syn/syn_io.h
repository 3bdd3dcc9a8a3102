#pragma once
// The SYN engine's handles: raw IPv4 and IPv6 sockets to send hand-made SYNs
// (IPPROTO_RAW, routed by the kernel, so it works on loopback, veth and real
// interfaces alike) and libpcap captures on the interfaces the replies come
// in on. Opening needs root or CAP_NET_RAW; everything after does not.

#include <pcap/pcap.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

namespace ciiscope::scanner::syn {

// The source address the kernel would use toward `dst` (host order), found
// with a connected UDP socket (no packet is sent). Error names the target.
Result<uint32_t> SourceFor(uint32_t dst);

// The interface holding IPv4 address `addr` (host order): "lo", "eth0", …
Result<std::string> InterfaceOf(uint32_t addr);

// The same for IPv6 (addresses in network byte order).
Result<std::array<uint8_t, 16>> SourceFor6(const std::array<uint8_t, 16>& dst);
Result<std::string> InterfaceOf6(const std::array<uint8_t, 16>& addr);

struct PcapCloser {
  void operator()(pcap_t* p) const { pcap_close(p); }
};
using PcapHandle = std::unique_ptr<pcap_t, PcapCloser>;

// A non-blocking capture on `device` seeing only TCP segments (IPv4 or
// IPv6) with SYN or RST set that are addressed to port `sport`.
Result<PcapHandle> OpenCapture(const std::string& device, uint16_t sport);

// socket(AF_INET, SOCK_RAW, IPPROTO_RAW). Without the privilege: one line
// that says how to run the engine.
Result<int> OpenRawSocket();
// socket(AF_INET6, SOCK_RAW, IPPROTO_RAW): the caller writes the IPv6 header
// too (IPPROTO_RAW implies IPV6_HDRINCL on Linux). Same errors.
Result<int> OpenRawSocket6();

}  // namespace ciiscope::scanner::syn
