#pragma once
// Test-only scripted TCP server on 127.0.0.1 (an ephemeral port this process
// bound): sends a greeting on connect, then answers each expected request in
// order. Every loop is bounded in time (10 s a connection) and count.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ciiscope::scanner::testing {

struct ScriptStep {
  std::string expect_prefix;  // the request must start with this (may be "")
  std::string reply;          // sent once a request with the prefix arrived
};

class ScriptServer {
 public:
  // per_connection: every connection runs the whole script; otherwise the
  // steps are shared, each connection answering the next one (HTTP, one
  // request per connection).
  ScriptServer(std::string greeting, std::vector<ScriptStep> steps, bool per_connection = true);
  ~ScriptServer();
  ScriptServer(const ScriptServer&) = delete;
  ScriptServer& operator=(const ScriptServer&) = delete;

  uint16_t port() const { return port_; }
  // Everything clients sent, all connections concatenated.
  std::string received() const;

 private:
  void AcceptLoop();
  void Serve(int fd);

  std::string greeting_;
  std::vector<ScriptStep> steps_;
  bool per_connection_;
  size_t shared_step_ = 0;  // guarded by mu_
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::string received_;
  std::vector<std::thread> workers_;
};

}  // namespace ciiscope::scanner::testing
