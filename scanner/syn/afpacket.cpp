#include "scanner/syn/afpacket.h"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ciiscope::scanner::syn {
namespace {

// /proc/net/route writes addresses as the hex of the network-order word read
// on a little-endian host.
std::optional<uint32_t> ProcHex(const std::string& field) {
  if (field.empty() || field.size() > 8) return std::nullopt;
  char* end = nullptr;
  unsigned long v = std::strtoul(field.c_str(), &end, 16);
  if (*end != '\0') return std::nullopt;
  return ntohl(static_cast<uint32_t>(v));
}

}  // namespace

std::vector<Route> ParseRouteTable(std::string_view text) {
  std::vector<Route> out;
  std::istringstream in{std::string(text)};
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream row(line);
    std::string iface, dest, gw, flags, refcnt, use, metric, mask;
    if (!(row >> iface >> dest >> gw >> flags >> refcnt >> use >> metric >> mask)) continue;
    auto d = ProcHex(dest), g = ProcHex(gw), m = ProcHex(mask);
    if (!d || !g || !m) continue;
    unsigned long f = std::strtoul(flags.c_str(), nullptr, 16);
    if ((f & 0x1) == 0) continue;  // RTF_UP
    Route r;
    r.device = iface;
    r.dest = *d;
    r.mask = *m;
    r.gateway = (f & 0x2) ? *g : 0;  // RTF_GATEWAY
    r.metric = static_cast<uint32_t>(std::strtoul(metric.c_str(), nullptr, 10));
    out.push_back(std::move(r));
  }
  return out;
}

std::optional<NextHop> LookupRoute(const std::vector<Route>& routes, uint32_t dst) {
  const Route* best = nullptr;
  for (const auto& r : routes) {
    if ((dst & r.mask) != r.dest) continue;
    if (best == nullptr || r.mask > best->mask || (r.mask == best->mask && r.metric < best->metric)) {
      best = &r;
    }
  }
  if (best == nullptr) return std::nullopt;
  return NextHop{best->device, best->gateway != 0 ? best->gateway : dst};
}

std::optional<Mac> ParseArpTable(std::string_view text, uint32_t addr, const std::string& device) {
  std::istringstream in{std::string(text)};
  std::string line;
  std::getline(in, line);  // header
  in_addr want{htonl(addr)};
  char want_text[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &want, want_text, sizeof(want_text));
  while (std::getline(in, line)) {
    std::istringstream row(line);
    std::string ip, hw_type, flags, mac, mask, dev;
    if (!(row >> ip >> hw_type >> flags >> mac >> mask >> dev)) continue;
    if (ip != want_text || dev != device) continue;
    if ((std::strtoul(flags.c_str(), nullptr, 16) & ATF_COM) == 0) continue;
    Mac m;
    unsigned b[6];
    if (std::sscanf(mac.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6) {
      continue;
    }
    for (int i = 0; i < 6; ++i) m[static_cast<size_t>(i)] = static_cast<uint8_t>(b[i]);
    if (m == Mac{}) continue;  // incomplete entries show 00:00:00:00:00:00
    return m;
  }
  return std::nullopt;
}

std::string ReadProcFile(const char* path) {
  std::ifstream f(path);
  if (!f) return "";
  std::string out;
  char buf[65536];
  while (f.read(buf, sizeof(buf)) || f.gcount() > 0) {
    out.append(buf, static_cast<size_t>(f.gcount()));
    if (out.size() > (16u << 20)) break;
  }
  return out;
}

Result<Link> LinkOf(const std::string& device) {
  if (device.size() >= IFNAMSIZ) return Error(ErrorCode::kInvalidArgument, "bad interface name " + device);
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error(ErrorCode::kIo, std::string("socket: ") + std::strerror(errno));
  ifreq req{};
  std::memcpy(req.ifr_name, device.c_str(), device.size());
  Link link;
  bool ok = ::ioctl(fd, SIOCGIFINDEX, &req) == 0;
  if (ok) link.ifindex = req.ifr_ifindex;
  ok = ok && ::ioctl(fd, SIOCGIFHWADDR, &req) == 0;
  int err = errno;
  ::close(fd);
  if (!ok) return Error(ErrorCode::kIo, "interface " + device + ": " + std::strerror(err));
  link.ethernet = req.ifr_hwaddr.sa_family == ARPHRD_ETHER;
  std::memcpy(link.mac.data(), req.ifr_hwaddr.sa_data, 6);
  return link;
}

Result<int> OpenPacketSender(int ifindex) {
  int fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return Error(errno == EPERM || errno == EACCES ? ErrorCode::kPermission : ErrorCode::kIo,
                 std::string("AF_PACKET socket: ") + std::strerror(errno));
  }
  sockaddr_ll ll{};
  ll.sll_family = AF_PACKET;
  ll.sll_ifindex = ifindex;
  ll.sll_protocol = 0;  // send only
  int one = 1, size = 4 << 20;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ll), sizeof(ll)) != 0) {
    int err = errno;
    ::close(fd);
    return Error(ErrorCode::kIo, std::string("AF_PACKET bind: ") + std::strerror(err));
  }
  ::setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));  // best effort (kernel >= 3.14)
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
  return fd;
}

void WriteEthernetHeader(uint8_t* out, const Mac& dst, const Mac& src) {
  std::memcpy(out, dst.data(), 6);
  std::memcpy(out + 6, src.data(), 6);
  out[12] = 0x08;
  out[13] = 0x00;
}

}  // namespace ciiscope::scanner::syn
