#include "script_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>

namespace ciiscope::scanner::testing {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kMaxConnectionTime = std::chrono::seconds(10);
constexpr int kMaxConnections = 16;

bool WaitFor(int fd) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, 50) > 0;
}

void SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
}

}  // namespace

ScriptServer::ScriptServer(std::string greeting, std::vector<ScriptStep> steps,
                           bool per_connection)
    : greeting_(std::move(greeting)), steps_(std::move(steps)), per_connection_(per_connection) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 ||
      listen(listen_fd_, 16) != 0) {
    throw std::runtime_error(std::string("script server: ") + std::strerror(errno));
  }
  socklen_t len = sizeof(sa);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&sa), &len);
  port_ = ntohs(sa.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

ScriptServer::~ScriptServer() {
  stop_ = true;
  acceptor_.join();
  for (auto& t : workers_) t.join();
  close(listen_fd_);
}

std::string ScriptServer::received() const {
  std::lock_guard lock(mu_);
  return received_;
}

void ScriptServer::AcceptLoop() {
  int accepted = 0;
  while (!stop_) {
    if (!WaitFor(listen_fd_)) continue;
    int fd = accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    if (++accepted > kMaxConnections) {
      close(fd);
      continue;
    }
    std::lock_guard lock(mu_);
    workers_.emplace_back([this, fd] {
      Serve(fd);
      close(fd);
    });
  }
}

void ScriptServer::Serve(int fd) {
  auto end = Clock::now() + kMaxConnectionTime;
  SendAll(fd, greeting_);
  size_t step = 0;
  std::string pending;
  char buf[4096];
  while (!stop_ && Clock::now() < end) {
    if (!WaitFor(fd)) continue;
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return;
    pending.append(buf, static_cast<size_t>(n));
    {
      std::lock_guard lock(mu_);
      received_.append(buf, static_cast<size_t>(n));
    }
    std::string reply;
    {
      std::lock_guard lock(mu_);
      size_t& at = per_connection_ ? step : shared_step_;
      if (at < steps_.size() && pending.starts_with(steps_[at].expect_prefix)) {
        reply = steps_[at].reply;
        pending.clear();
        ++at;
      }
    }
    if (!reply.empty()) SendAll(fd, reply);
  }
}

}  // namespace ciiscope::scanner::testing
