#include "path_server.h"

#include "banner_server.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

namespace ciiscope::testing {

PathServer::PathServer(Route route, int max_connections, int lifetime_s) : route_(std::move(route)) {
  fd_ = ListenOnLoopback(&port_, 32);
  if (fd_ < 0) return;
  thread_ = std::thread([this, max_connections, lifetime_s] { Serve(max_connections, lifetime_s); });
}

PathServer::~PathServer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) close(fd_);
}

std::vector<std::string> PathServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

void PathServer::Serve(int max_connections, int lifetime_s) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(lifetime_s);
  int served = 0;
  while (!stop_ && served < max_connections && std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{fd_, POLLIN, 0};
    if (poll(&pfd, 1, 100) <= 0) continue;
    int conn = accept(fd_, nullptr, nullptr);
    if (conn < 0) continue;
    ++served;
    Answer(conn);
    close(conn);
  }
}

void PathServer::Answer(int conn) {
  std::string head;
  char buf[2048];
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < 8192) {
    pollfd pfd{conn, POLLIN, 0};
    if (poll(&pfd, 1, 2000) <= 0) return;
    ssize_t n = read(conn, buf, sizeof(buf));
    if (n <= 0) return;
    head.append(buf, static_cast<size_t>(n));
  }
  size_t sp1 = head.find(' ');
  size_t sp2 = sp1 == std::string::npos ? std::string::npos : head.find(' ', sp1 + 1);
  if (sp2 == std::string::npos) return;
  const std::string method = head.substr(0, sp1);
  const std::string path = head.substr(sp1 + 1, sp2 - sp1 - 1);
  {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(method + " " + path);
  }
  PathResponse r = route_(method, path);
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + (r.status == 200 ? " OK" : " Not Found") +
                    "\r\nServer: path-server\r\nContent-Type: " + r.content_type +
                    "\r\nContent-Length: " + std::to_string(r.body.size()) + "\r\n" + r.extra_headers +
                    "Connection: close\r\n\r\n";
  if (method != "HEAD") out += r.body;
  size_t off = 0;
  while (off < out.size()) {
    ssize_t n = write(conn, out.data() + off, out.size() - off);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
  shutdown(conn, SHUT_WR);
  pollfd pfd{conn, POLLIN, 0};
  (void)poll(&pfd, 1, 200);  // let the client read before the close
}

}  // namespace ciiscope::testing
