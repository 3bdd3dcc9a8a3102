#pragma once
// The demo's protocol servers on Asio coroutines. Internal to app/demo (Asio
// is a private dependency). Everything runs on one io_context thread.
//
// Limits per connection: at most kReadCap bytes read, closed after
// kIdleTimeout without input (SSH: held kSshHold) and after kMaxLifetime in
// any case; at most kMaxSessions connections at once (more are accepted and
// closed at once, as an overloaded server would).

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "app/demo/campus.h"

namespace ciiscope::app::demo {

inline constexpr size_t kReadCap = 8 * 1024;
inline constexpr std::chrono::seconds kIdleTimeout{5};
inline constexpr std::chrono::seconds kSshHold{10};
inline constexpr std::chrono::seconds kMaxLifetime{15};
inline constexpr int kMaxSessions = 512;

// State shared by all sessions. Must outlive the io_context the services
// run on (pending coroutine frames are destroyed with it and touch this).
struct ServeShared {
  asio::ssl::context* tls = nullptr;  // for ServiceKind::kHttps
  int active_sessions = 0;
  uint64_t accepted = 0;
};

// Spawns the accept loop for one bound, listening acceptor. The loop ends
// when the io_context stops or the acceptor is closed.
void StartService(asio::ip::tcp::acceptor acceptor, ServiceKind kind, uint16_t port,
                  ServeShared* shared);

}  // namespace ciiscope::app::demo
