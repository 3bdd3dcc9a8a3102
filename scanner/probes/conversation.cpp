#include "scanner/probes/conversation.h"

#include <algorithm>

namespace ciiscope::scanner {

namespace {
constexpr std::chrono::milliseconds kWatchdogTick{100};
}  // namespace

asio::ip::tcp::endpoint ToEndpoint(const core::IpAddress& address, uint16_t port) {
  if (address.is_v4()) return {asio::ip::address_v4(address.v4()), port};
  asio::ip::address_v6::bytes_type bytes;
  std::copy(address.bytes().begin(), address.bytes().end(), bytes.begin());
  return {asio::ip::address_v6(bytes), port};
}

std::shared_ptr<Conversation> Conversation::Create(const asio::any_io_executor& executor,
                                                   const std::atomic<bool>* stop,
                                                   SteadyTime deadline) {
  std::shared_ptr<Conversation> conv(new Conversation(executor, stop, deadline));
  conv->Arm();
  return conv;
}

Conversation::Conversation(const asio::any_io_executor& executor, const std::atomic<bool>* stop,
                           SteadyTime deadline)
    : socket_(executor), timer_(executor), stop_(stop), deadline_(deadline) {}

Conversation::~Conversation() {
  std::error_code ignored;
  socket_.close(ignored);
}

void Conversation::Arm() {
  timer_.expires_at(std::min(deadline_, std::chrono::steady_clock::now() + kWatchdogTick));
  timer_.async_wait([self = shared_from_this()](std::error_code ec) {
    if (self->closed_ || ec == asio::error::operation_aborted) return;
    if (self->stopped() || std::chrono::steady_clock::now() >= self->deadline_) {
      self->expired_ = true;
      std::error_code ignored;
      self->socket_.close(ignored);
      return;
    }
    self->Arm();
  });
}

asio::awaitable<std::error_code> Conversation::Connect(const asio::ip::tcp::endpoint& endpoint) {
  if (expired_) co_return asio::error::operation_aborted;
  auto [ec] = co_await socket_.async_connect(endpoint, kUseTuple);
  if (!ec && expired_) ec = asio::error::operation_aborted;
  co_return ec;
}

void Conversation::Close() {
  closed_ = true;
  timer_.cancel();
  std::error_code ignored;
  socket_.close(ignored);
}

}  // namespace ciiscope::scanner
