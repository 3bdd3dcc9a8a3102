#pragma once
// A test-only HTTP/1.1 server on 127.0.0.1 (an ephemeral port this process
// binds) that answers by request path through a routing function and records
// every request line. One connection at a time, Connection: close. Bounded:
// at most `max_connections`, stops after `lifetime_s` or when destroyed;
// every read waits at most 2 s.

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ciiscope::testing {

struct PathResponse {
  int status = 404;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  std::string extra_headers;  // "Name: value\r\n" lines
};

class PathServer {
 public:
  using Route = std::function<PathResponse(const std::string& method, const std::string& path)>;
  explicit PathServer(Route route, int max_connections = 400, int lifetime_s = 90);
  ~PathServer();
  PathServer(const PathServer&) = delete;
  PathServer& operator=(const PathServer&) = delete;

  uint16_t port() const { return port_; }  // 0 if the socket could not be opened
  // "GET /.git/HEAD" … in arrival order.
  std::vector<std::string> requests() const;

 private:
  void Serve(int max_connections, int lifetime_s);
  void Answer(int conn);

  Route route_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

}  // namespace ciiscope::testing
