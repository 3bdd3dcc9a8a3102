#include "banner_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

namespace ciiscope::testing {

int ListenOnLoopback(uint16_t* port, int backlog) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(fd, backlog) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return -1;
  }
  *port = ntohs(addr.sin_port);
  return fd;
}

BannerServer::BannerServer(std::string banner, int max_connections, int lifetime_s)
    : banner_(std::move(banner)) {
  fd_ = ListenOnLoopback(&port_);
  if (fd_ < 0) return;
  thread_ = std::thread([this, max_connections, lifetime_s] { Serve(max_connections, lifetime_s); });
}

BannerServer::~BannerServer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) close(fd_);
}

void BannerServer::Serve(int max_connections, int lifetime_s) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(lifetime_s);
  int served = 0;
  while (!stop_ && served < max_connections && std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{fd_, POLLIN, 0};
    if (poll(&pfd, 1, 100) <= 0) continue;
    int conn = accept(fd_, nullptr, nullptr);
    if (conn < 0) continue;
    ++served;
    (void)!write(conn, banner_.data(), banner_.size());
    // Give the client a moment to read before the close.
    pollfd cpfd{conn, POLLIN, 0};
    (void)poll(&cpfd, 1, 300);
    close(conn);
  }
}

}  // namespace ciiscope::testing
