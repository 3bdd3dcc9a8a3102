#pragma once
// A test-only TCP server on 127.0.0.1 (an ephemeral port this process binds)
// that greets every connection with a fixed banner and closes it. Bounded:
// it serves at most `max_connections` and stops after `lifetime_s`, or when
// destroyed.

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

namespace ciiscope::testing {

// A listening TCP socket on 127.0.0.1 at an ephemeral port (written to
// *port); -1 on failure.
int ListenOnLoopback(uint16_t* port, int backlog = 16);

class BannerServer {
 public:
  explicit BannerServer(std::string banner, int max_connections = 64, int lifetime_s = 60);
  ~BannerServer();
  BannerServer(const BannerServer&) = delete;
  BannerServer& operator=(const BannerServer&) = delete;

  uint16_t port() const { return port_; }  // 0 if the socket could not be opened

 private:
  void Serve(int max_connections, int lifetime_s);

  std::string banner_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace ciiscope::testing
