#pragma once
// The SYN engine's handles: a raw IPv4 socket to send hand-made SYNs
// (IPPROTO_RAW, routed by the kernel, so it works on loopback, veth and real
// interfaces alike) and libpcap captures on the interfaces the replies come
// in on. Opening needs root or CAP_NET_RAW; everything after does not.

#include <pcap/pcap.h>

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

struct PcapCloser {
  void operator()(pcap_t* p) const { pcap_close(p); }
};
using PcapHandle = std::unique_ptr<pcap_t, PcapCloser>;

// A non-blocking capture on `device` seeing only TCP segments with SYN or
// RST set that are addressed to port `sport`.
Result<PcapHandle> OpenCapture(const std::string& device, uint16_t sport);

// socket(AF_INET, SOCK_RAW, IPPROTO_RAW). Without the privilege: one line
// that says how to run the engine.
Result<int> OpenRawSocket();

}  // namespace ciiscope::scanner::syn
