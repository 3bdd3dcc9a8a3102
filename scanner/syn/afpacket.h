#pragma once
// The SYN engine's AF_PACKET sender (--send afpacket): IPv4 SYNs framed in
// Ethernet by hand and written with sendmmsg to a packet socket bound to the
// outgoing interface, with PACKET_QDISC_BYPASS, so they skip the IP output
// path (routing, netfilter, neighbour lookup) and the queueing discipline for
// every packet. The next hop comes from the main routing table
// (/proc/net/route, longest prefix; policy routing is not followed) and its
// MAC from the kernel's neighbour table (/proc/net/arp). Loopback and
// non-Ethernet interfaces, IPv6 targets and next hops the kernel has not
// resolved keep the raw socket.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace ciiscope::scanner::syn {

using Mac = std::array<uint8_t, 6>;

struct Route {
  std::string device;
  uint32_t dest = 0, mask = 0, gateway = 0;  // host order; gateway 0 = on-link
  uint32_t metric = 0;
};

// The rows of /proc/net/route's text (bad rows skipped).
std::vector<Route> ParseRouteTable(std::string_view text);

struct NextHop {
  std::string device;
  uint32_t addr = 0;  // the gateway, or the target itself when on-link
};

// Longest prefix, then lowest metric; nullopt without a route.
std::optional<NextHop> LookupRoute(const std::vector<Route>& routes, uint32_t dst);

// The complete (ATF_COM) entry for `addr` on `device` in /proc/net/arp's text.
std::optional<Mac> ParseArpTable(std::string_view text, uint32_t addr, const std::string& device);

// Reads a /proc file (at most 16 MiB); "" when unreadable.
std::string ReadProcFile(const char* path);

struct Link {
  int ifindex = 0;
  Mac mac{};
  bool ethernet = false;  // ARPHRD_ETHER, not loopback
};

Result<Link> LinkOf(const std::string& device);

// socket(AF_PACKET, SOCK_RAW, 0) bound to `ifindex` (receives nothing),
// PACKET_QDISC_BYPASS on. Needs CAP_NET_RAW.
Result<int> OpenPacketSender(int ifindex);

constexpr size_t kEthernetHeader = 14;

// Destination MAC, source MAC, EtherType 0x0800 at `out`.
void WriteEthernetHeader(uint8_t* out, const Mac& dst, const Mac& src);

}  // namespace ciiscope::scanner::syn
