#pragma once
// One TCP connection with an absolute deadline, for probes. A watchdog timer
// on the connection's executor wakes at least every 100 ms; once the deadline
// has passed or the stop flag is set it closes the socket, so whatever the
// probe is awaiting completes with an error and the probe winds down.
// Internal to the scanner library.

#include <asio/awaitable.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <atomic>
#include <chrono>
#include <memory>
#include <system_error>

#include "core/net.h"

namespace ciiscope::scanner {

using SteadyTime = std::chrono::steady_clock::time_point;

// as_tuple(use_awaitable): completion errors come back as values.
inline constexpr auto kUseTuple = asio::experimental::as_tuple(asio::use_awaitable);

asio::ip::tcp::endpoint ToEndpoint(const core::IpAddress& address, uint16_t port);

class Conversation : public std::enable_shared_from_this<Conversation> {
 public:
  // `executor` must serialize handlers (a strand); `stop` may be null.
  static std::shared_ptr<Conversation> Create(const asio::any_io_executor& executor,
                                              const std::atomic<bool>* stop, SteadyTime deadline);
  ~Conversation();
  Conversation(const Conversation&) = delete;
  Conversation& operator=(const Conversation&) = delete;

  asio::ip::tcp::socket& socket() { return socket_; }
  // Moves the deadline (earlier or later); takes effect within 100 ms.
  void set_deadline(SteadyTime deadline) { deadline_ = deadline; }
  SteadyTime deadline() const { return deadline_; }
  // True once the watchdog closed the socket (deadline or stop).
  bool expired() const { return expired_; }
  bool stopped() const { return stop_ != nullptr && stop_->load(std::memory_order_relaxed); }

  // Connects, or returns the error (operation_aborted after expiry).
  asio::awaitable<std::error_code> Connect(const asio::ip::tcp::endpoint& endpoint);
  // Stops the watchdog and closes the socket.
  void Close();

 private:
  Conversation(const asio::any_io_executor& executor, const std::atomic<bool>* stop,
               SteadyTime deadline);
  void Arm();

  asio::ip::tcp::socket socket_;
  asio::steady_timer timer_;
  const std::atomic<bool>* stop_;
  SteadyTime deadline_;
  bool expired_ = false;
  bool closed_ = false;
};

}  // namespace ciiscope::scanner
