#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <poll.h>

#include <array>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <unordered_map>

#include "scanner/discovery_methods.h"

namespace ciiscope::scanner {
namespace {

using Clock = std::chrono::steady_clock;
using Mac = std::array<uint8_t, 6>;

struct Segment {
  std::string device;
  uint32_t addr = 0, mask = 0;  // host order
  Mac mac{};
  bool has_mac = false;
  std::vector<size_t> targets;  // indices on this segment
};

// IPv4 Ethernet interfaces (not loopback) with their address, netmask, MAC.
std::vector<Segment> LocalSegments() {
  std::vector<Segment> out;
  std::map<std::string, Mac> macs;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr) continue;
    if (i->ifa_addr->sa_family == AF_PACKET) {
      auto* ll = reinterpret_cast<sockaddr_ll*>(i->ifa_addr);
      if (ll->sll_hatype == ARPHRD_ETHER && ll->sll_halen == 6) {
        Mac m;
        std::memcpy(m.data(), ll->sll_addr, 6);
        macs[i->ifa_name] = m;
      }
    } else if (i->ifa_addr->sa_family == AF_INET && i->ifa_netmask != nullptr) {
      Segment s;
      s.device = i->ifa_name;
      s.addr = ntohl(reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr.s_addr);
      s.mask = ntohl(reinterpret_cast<sockaddr_in*>(i->ifa_netmask)->sin_addr.s_addr);
      out.push_back(s);
    }
  }
  freeifaddrs(list);
  for (auto& s : out) {
    auto it = macs.find(s.device);
    if (it != macs.end()) {
      s.mac = it->second;
      s.has_mac = true;
    }
  }
  std::erase_if(out, [](const Segment& s) { return !s.has_mac || s.mask == 0; });
  return out;
}

std::array<uint8_t, 42> WhoHas(const Segment& s, uint32_t target) {
  std::array<uint8_t, 42> f{};
  std::memset(f.data(), 0xff, 6);
  std::memcpy(f.data() + 6, s.mac.data(), 6);
  f[12] = 0x08;
  f[13] = 0x06;
  uint8_t* a = f.data() + 14;
  a[1] = 1;     // Ethernet
  a[2] = 0x08;  // IPv4
  a[4] = 6;
  a[5] = 4;
  a[7] = 1;  // request
  std::memcpy(a + 8, s.mac.data(), 6);
  uint32_t spa = htonl(s.addr), tpa = htonl(target);
  std::memcpy(a + 14, &spa, 4);
  std::memcpy(a + 24, &tpa, 4);
  return f;
}

size_t ArpOnSegment(const Segment& seg, const std::vector<Target>& targets, std::vector<bool>& up,
                    std::chrono::milliseconds timeout, const std::atomic<bool>& stop, bool* ran) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_create(seg.device.c_str(), errbuf);
  if (p == nullptr) return 0;
  pcap_set_snaplen(p, 64);
  pcap_set_immediate_mode(p, 1);
  pcap_set_timeout(p, 10);
  bpf_program prog{};
  if (pcap_activate(p) < 0 || pcap_datalink(p) != DLT_EN10MB ||
      pcap_compile(p, &prog, "arp and arp[6:2] = 2", 1, PCAP_NETMASK_UNKNOWN) != 0) {
    pcap_close(p);
    return 0;
  }
  pcap_setfilter(p, &prog);
  pcap_freecode(&prog);
  pcap_setnonblock(p, 1, errbuf);
  *ran = true;
  std::unordered_map<uint32_t, size_t> index;
  for (size_t t : seg.targets) index.emplace(targets[t].address.v4(), t);
  size_t found = 0;
  struct Ctx {
    const Segment* seg;
    std::unordered_map<uint32_t, size_t>* index;
    std::vector<bool>* up;
    size_t* found;
  } ctx{&seg, &index, &up, &found};
  auto on_frame = [](u_char* user, const pcap_pkthdr* h, const u_char* b) {
    auto* c = reinterpret_cast<Ctx*>(user);
    if (h->caplen < 42 || b[12] != 0x08 || b[13] != 0x06 || b[21] != 2) return;
    uint32_t spa, tpa;
    std::memcpy(&spa, b + 28, 4);
    std::memcpy(&tpa, b + 38, 4);
    if (ntohl(tpa) != c->seg->addr) return;
    auto it = c->index->find(ntohl(spa));
    if (it == c->index->end() || (*c->up)[it->second]) return;
    (*c->up)[it->second] = true;
    ++*c->found;
  };
  auto drain = [&] {
    while (pcap_dispatch(p, 256, on_frame, reinterpret_cast<u_char*>(&ctx)) > 0) {
    }
  };
  auto started = Clock::now();
  size_t sent = 0;
  for (size_t t : seg.targets) {
    if (stop.load()) break;
    auto frame = WhoHas(seg, targets[t].address.v4());
    pcap_inject(p, frame.data(), frame.size());
    if (++sent % 20 == 0) {  // at most 20 requests per millisecond
      drain();
      std::this_thread::sleep_until(started + std::chrono::milliseconds(sent / 20));
    }
  }
  auto until = Clock::now() + timeout;
  int fd = pcap_get_selectable_fd(p);
  while (Clock::now() < until && !stop.load() && found < sent) {
    pollfd pfd{fd, POLLIN, 0};
    ::poll(&pfd, 1, 20);
    drain();
  }
  pcap_close(p);
  return found;
}

}  // namespace

std::optional<size_t> ArpPing(const std::vector<Target>& targets, std::vector<bool>& up,
                              std::chrono::milliseconds timeout, const std::atomic<bool>& stop) {
  std::vector<Segment> segments = LocalSegments();
  for (size_t i = 0; i < targets.size(); ++i) {
    if (up[i] || !targets[i].address.is_v4()) continue;
    uint32_t a = targets[i].address.v4();
    for (auto& s : segments) {
      if ((a & s.mask) == (s.addr & s.mask) && a != s.addr) {
        s.targets.push_back(i);
        break;
      }
    }
  }
  bool ran = false;
  size_t found = 0;
  for (const auto& s : segments) {
    if (!s.targets.empty()) found += ArpOnSegment(s, targets, up, timeout, stop, &ran);
  }
  if (!ran) return std::nullopt;
  return found;
}

}  // namespace ciiscope::scanner
