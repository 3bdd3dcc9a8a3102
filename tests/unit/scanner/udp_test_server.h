#pragma once
// Test-only: a UDP server on 127.0.0.1:<ephemeral> answering each datagram
// with what a handler returns. Stops (and joins) on destruction; its thread
// ends by itself after 60 s. Header-only (unit and integration tests).
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace ciiscope::testing {

using Handler = std::function<std::vector<std::string>(std::string_view)>;

class UdpServer {
 public:
  explicit UdpServer(Handler handler) : handler_(std::move(handler)) {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bound_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
    socklen_t len = sizeof(a);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~UdpServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  uint16_t port() const { return port_; }
  bool bound() const { return bound_; }
  int received() const { return received_.load(); }

 private:
  void Loop() {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::string buf(65536, '\0');
    while (!stop_ && std::chrono::steady_clock::now() < end) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      sockaddr_in from{};
      socklen_t len = sizeof(from);
      ssize_t n = ::recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n < 0) continue;
      ++received_;
      for (const auto& reply : handler_(std::string_view(buf.data(), static_cast<size_t>(n)))) {
        ::sendto(fd_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
      }
    }
  }

  Handler handler_;
  int fd_ = -1;
  uint16_t port_ = 0;
  bool bound_ = false;
  std::atomic<bool> stop_{false};
  std::atomic<int> received_{0};
  std::thread thread_;
};

}  // namespace ciiscope::testing
