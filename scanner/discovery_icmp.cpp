#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <random>
#include <thread>

#include "scanner/discovery_methods.h"
#include "scanner/syn/syn_packet.h"

namespace ciiscope::scanner {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kEchoSize = 16;  // ICMP header 8 + target index 4 + cookie 4
constexpr int kSendsPerMillisecond = 20;

uint16_t Checksum(const uint8_t* p, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < n; i += 2) sum += (uint32_t{p[i]} << 8) | p[i + 1];
  if (n & 1) sum += uint32_t{p[n - 1]} << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

uint32_t EchoCookie(const syn::SipKey& key, uint32_t index, uint32_t addr) {
  std::array<std::byte, 8> buf{};
  for (int i = 0; i < 4; ++i) {
    buf[i] = std::byte((index >> (8 * i)) & 0xff);
    buf[4 + i] = std::byte((addr >> (8 * i)) & 0xff);
  }
  return static_cast<uint32_t>(syn::SipHash24(key, buf));
}

void Put32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}
uint32_t Get32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

std::optional<size_t> IcmpEchoPing(const std::vector<Target>& targets, std::vector<bool>& up,
                                   std::chrono::milliseconds timeout, const std::atomic<bool>& stop) {
  int fd = ::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
  if (fd < 0) return std::nullopt;
  std::random_device rd;
  const syn::SipKey key = {(uint64_t{rd()} << 32) | rd(), (uint64_t{rd()} << 32) | rd()};
  const uint16_t id = static_cast<uint16_t>(rd());
  size_t found = 0;

  auto drain = [&] {
    std::array<uint8_t, 1500> buf;
    while (true) {
      ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
      if (n <= 0) return;
      size_t ihl = (buf[0] & 0x0f) * 4u;
      if (static_cast<size_t>(n) < ihl + kEchoSize || buf[ihl] != 0 /* echo reply */) continue;
      const uint8_t* icmp = buf.data() + ihl;
      if (((icmp[4] << 8) | icmp[5]) != id) continue;
      uint32_t index = Get32(icmp + 8);
      uint32_t src = Get32(buf.data() + 12);
      if (index >= targets.size() || !targets[index].address.is_v4() ||
          targets[index].address.v4() != src || Get32(icmp + 12) != EchoCookie(key, index, src)) {
        continue;
      }
      if (!up[index]) {
        up[index] = true;
        ++found;
      }
    }
  };

  size_t probed = 0;
  auto started = Clock::now();
  for (size_t i = 0; i < targets.size() && !stop.load(); ++i) {
    if (up[i] || !targets[i].address.is_v4()) continue;
    uint32_t addr = targets[i].address.v4();
    uint8_t pkt[kEchoSize] = {8, 0, 0, 0};
    pkt[4] = static_cast<uint8_t>(id >> 8);
    pkt[5] = static_cast<uint8_t>(id);
    pkt[6] = static_cast<uint8_t>(i >> 8);
    pkt[7] = static_cast<uint8_t>(i);
    Put32(pkt + 8, static_cast<uint32_t>(i));
    Put32(pkt + 12, EchoCookie(key, static_cast<uint32_t>(i), addr));
    uint16_t sum = Checksum(pkt, sizeof(pkt));
    pkt[2] = static_cast<uint8_t>(sum >> 8);
    pkt[3] = static_cast<uint8_t>(sum);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(addr);
    ::sendto(fd, pkt, sizeof(pkt), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
    ++probed;
    if (i % kSendsPerMillisecond == kSendsPerMillisecond - 1) {
      drain();
      // Paced: at most kSendsPerMillisecond echo requests per millisecond.
      auto due = started + std::chrono::milliseconds(i / kSendsPerMillisecond + 1);
      std::this_thread::sleep_until(due);
    }
  }
  auto until = Clock::now() + timeout;
  while (Clock::now() < until && !stop.load() && found < probed) {
    pollfd p{fd, POLLIN, 0};
    ::poll(&p, 1, 20);
    drain();
  }
  ::close(fd);
  return found;
}

}  // namespace ciiscope::scanner
