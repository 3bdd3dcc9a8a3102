#include "scanner/syn/syn_io.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ciiscope::scanner::syn {
namespace {

std::string Dotted(uint32_t host_order) {
  in_addr a{htonl(host_order)};
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &a, buf, sizeof(buf));
  return buf;
}

}  // namespace

Result<uint32_t> SourceFor(uint32_t dst) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error(ErrorCode::kIo, std::string("socket: ") + std::strerror(errno));
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(9);
  to.sin_addr.s_addr = htonl(dst);
  sockaddr_in me{};
  socklen_t len = sizeof(me);
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to));
  int err = errno;
  if (rc == 0) rc = ::getsockname(fd, reinterpret_cast<sockaddr*>(&me), &len);
  ::close(fd);
  if (rc != 0) {
    return Error(ErrorCode::kIo, "no route to " + Dotted(dst) + ": " + std::strerror(err));
  }
  return ntohl(me.sin_addr.s_addr);
}

Result<std::string> InterfaceOf(uint32_t addr) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return Error(ErrorCode::kIo, std::string("getifaddrs: ") + std::strerror(errno));
  std::string found;
  for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
    if (ntohl(reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr.s_addr) == addr) {
      found = i->ifa_name;
      break;
    }
  }
  freeifaddrs(list);
  if (found.empty()) return Error(ErrorCode::kNotFound, "no interface holds source address " + Dotted(addr));
  return found;
}

Result<PcapHandle> OpenCapture(const std::string& device, uint16_t sport) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  PcapHandle p(pcap_create(device.c_str(), errbuf));
  if (!p) return Error(ErrorCode::kIo, "pcap on " + device + ": " + errbuf);
  pcap_set_snaplen(p.get(), 128);
  pcap_set_promisc(p.get(), 0);
  pcap_set_immediate_mode(p.get(), 1);
  pcap_set_buffer_size(p.get(), 32 << 20);
  pcap_set_timeout(p.get(), 10);
  int rc = pcap_activate(p.get());
  if (rc < 0) {
    return Error(rc == PCAP_ERROR_PERM_DENIED ? ErrorCode::kPermission : ErrorCode::kIo,
                 "pcap on " + device + ": " + pcap_geterr(p.get()));
  }
  std::string filter = "tcp dst port " + std::to_string(sport) +
                       " and (tcp[tcpflags] & (tcp-syn|tcp-rst) != 0)";
  bpf_program prog{};
  if (pcap_compile(p.get(), &prog, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    return Error(ErrorCode::kIo, "pcap filter: " + std::string(pcap_geterr(p.get())));
  }
  rc = pcap_setfilter(p.get(), &prog);
  pcap_freecode(&prog);
  if (rc != 0) return Error(ErrorCode::kIo, "pcap filter: " + std::string(pcap_geterr(p.get())));
  if (pcap_setnonblock(p.get(), 1, errbuf) != 0) {
    return Error(ErrorCode::kIo, "pcap on " + device + ": " + errbuf);
  }
  return p;
}

Result<int> OpenRawSocket() {
  int fd = ::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
  if (fd >= 0) {
    int size = 4 << 20;
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
    return fd;
  }
  if (errno == EPERM || errno == EACCES) {
    return Error(ErrorCode::kPermission,
                 "the syn engine needs raw sockets: run it as root (sudo ciiscope scan --engine syn …) "
                 "or give the binary CAP_NET_RAW (sudo setcap cap_net_raw+ep ciiscope), "
                 "or use --engine connect");
  }
  return Error(ErrorCode::kIo, std::string("raw socket: ") + std::strerror(errno));
}

}  // namespace ciiscope::scanner::syn
