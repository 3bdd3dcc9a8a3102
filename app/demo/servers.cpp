#include "app/demo/servers.h"

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <memory>
#include <string>

#include "app/demo/text_protocols.h"
#include "app/demo/web_content.h"

namespace ciiscope::app::demo {

namespace {

using asio::awaitable;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using TlsStream = asio::ssl::stream<tcp::socket>;
constexpr auto kUse = asio::experimental::as_tuple(asio::use_awaitable);

// One accepted connection, shared by its session and its watchdog.
struct Conn {
  explicit Conn(tcp::socket s)
      : socket(std::move(s)),
        deadline(socket.get_executor()),
        hard_deadline(Clock::now() + kMaxLifetime) {}

  tcp::socket& Lowest() { return tls ? tls->next_layer() : socket; }

  // Arms the watchdog: close after `idle`, never later than hard_deadline.
  void Touch(Clock::duration idle) {
    deadline.expires_at(std::min(Clock::now() + idle, hard_deadline));
  }

  void Close() {
    std::error_code ec;
    Lowest().shutdown(tcp::socket::shutdown_both, ec);
    Lowest().close(ec);
    deadline.cancel();
  }

  tcp::socket socket;                 // moved into `tls` for HTTPS
  std::unique_ptr<TlsStream> tls;
  asio::steady_timer deadline;
  Clock::time_point hard_deadline;
  size_t bytes_read = 0;
};

awaitable<void> Watchdog(std::shared_ptr<Conn> conn) {
  while (conn->Lowest().is_open()) {
    co_await conn->deadline.async_wait(kUse);
    if (conn->deadline.expiry() <= Clock::now()) {
      conn->Close();
      co_return;
    }
  }
}

// Appends what arrives to `buf`; false on EOF, error, timeout or read cap.
template <typename Stream>
awaitable<bool> ReadMore(Stream& stream, Conn& conn, std::string& buf,
                         Clock::duration idle = kIdleTimeout) {
  if (conn.bytes_read >= kReadCap) co_return false;
  char chunk[2048];
  size_t want = std::min(sizeof(chunk), kReadCap - conn.bytes_read);
  conn.Touch(idle);
  auto [ec, n] = co_await stream.async_read_some(asio::buffer(chunk, want), kUse);
  if (ec || n == 0) co_return false;
  conn.bytes_read += n;
  buf.append(chunk, n);
  co_return true;
}

template <typename Stream>
awaitable<bool> WriteAll(Stream& stream, Conn& conn, std::string_view data) {
  conn.Touch(kIdleTimeout);
  auto [ec, n] = co_await asio::async_write(stream, asio::buffer(data.data(), data.size()), kUse);
  co_return !ec;
}

template <typename Stream>
awaitable<void> HttpExchange(Stream& stream, Conn& conn, WebSite site) {
  std::string buf;
  HttpRequest request;
  for (;;) {
    bool not_http = !buf.empty() && (buf[0] < 'A' || buf[0] > 'Z');
    HeadState state = not_http ? HeadState::kMalformed : ParseHttpRequestHead(buf, &request);
    if (state == HeadState::kComplete) {
      co_await WriteAll(stream, conn, HttpResponseFor(site, request));
      co_return;
    }
    if (state == HeadState::kMalformed || buf.size() >= kReadCap) {
      co_await WriteAll(stream, conn, HttpBadRequest(site));
      co_return;
    }
    if (!co_await ReadMore(stream, conn, buf)) co_return;
  }
}

awaitable<void> ServeHttps(Conn& conn, asio::ssl::context& tls) {
  conn.tls = std::make_unique<TlsStream>(std::move(conn.socket), tls);
  conn.Touch(kIdleTimeout);
  auto [ec] = co_await conn.tls->async_handshake(asio::ssl::stream_base::server, kUse);
  if (ec) co_return;
  co_await HttpExchange(*conn.tls, conn, WebSite::kWwwTls);
}

awaitable<void> ServeSsh(Conn& conn) {
  conn.hard_deadline = std::min(conn.hard_deadline, Clock::now() + kSshHold);
  if (!co_await WriteAll(conn.socket, conn, kSshBanner)) co_return;
  std::string discard;
  // Hold the connection as sshd does while waiting for the client's
  // identification; the watchdog ends it after kSshHold.
  while (co_await ReadMore(conn.socket, conn, discard, kSshHold)) discard.clear();
}

awaitable<void> ServeRedis(Conn& conn, uint16_t port) {
  std::string buf;
  std::vector<std::string> args;
  for (;;) {
    size_t consumed = 0;
    RespState state = ParseRespCommand(buf, &args, &consumed);
    if (state == RespState::kMalformed) {
      co_await WriteAll(conn.socket, conn, "-ERR Protocol error: invalid request\r\n");
      co_return;
    }
    if (state == RespState::kCommand) {
      buf.erase(0, consumed);
      RedisReply reply = RedisAnswer(args, port);
      if (!reply.bytes.empty() && !co_await WriteAll(conn.socket, conn, reply.bytes)) co_return;
      if (reply.close) co_return;
      continue;
    }
    if (!co_await ReadMore(conn.socket, conn, buf)) co_return;
  }
}

awaitable<void> ServeTelnet(Conn& conn) {
  if (!co_await WriteAll(conn.socket, conn, TelnetGreeting())) co_return;
  std::string raw;
  std::string text;
  int failures = 0;
  bool want_password = false;
  while (failures < 3) {
    if (!co_await ReadMore(conn.socket, conn, raw)) co_return;
    // Keep an incomplete IAC sequence for the next read.
    size_t keep = 0;
    if (!raw.empty() && static_cast<unsigned char>(raw.back()) == 0xFF) keep = 1;
    if (raw.size() >= 2 && static_cast<unsigned char>(raw[raw.size() - 2]) == 0xFF &&
        static_cast<unsigned char>(raw.back()) >= 0xFB) {
      keep = 2;
    }
    text += StripTelnetCommands(std::string_view(raw).substr(0, raw.size() - keep));
    raw.erase(0, raw.size() - keep);
    std::replace(text.begin(), text.end(), '\r', '\n');
    for (const std::string& line : TakeLines(&text)) {
      if (line.empty()) continue;
      std::string_view answer = want_password ? "\r\nLogin incorrect\r\n\r\nlogin: " : "Password: ";
      if (want_password) ++failures;
      want_password = !want_password;
      if (!co_await WriteAll(conn.socket, conn, answer)) co_return;
      if (failures >= 3) break;
    }
  }
}

awaitable<void> ServeFtp(Conn& conn) {
  if (!co_await WriteAll(conn.socket, conn, kFtpGreeting)) co_return;
  std::string buf;
  int commands = 0;
  for (;;) {
    if (!co_await ReadMore(conn.socket, conn, buf)) co_return;
    for (const std::string& line : TakeLines(&buf)) {
      FtpReply reply = FtpAnswer(line);
      if (!co_await WriteAll(conn.socket, conn, reply.bytes)) co_return;
      if (reply.close || ++commands >= 32) co_return;
    }
  }
}

awaitable<void> RunSession(std::shared_ptr<Conn> conn, ServiceKind kind, uint16_t port,
                           ServeShared* shared) {
  struct Count {
    ServeShared* shared;
    ~Count() { --shared->active_sessions; }
  } count{shared};
  switch (kind) {
    case ServiceKind::kHttpPortal: co_await HttpExchange(conn->socket, *conn, WebSite::kPortal); break;
    case ServiceKind::kHttpDefault:
      co_await HttpExchange(conn->socket, *conn, WebSite::kNginxDefault);
      break;
    case ServiceKind::kHttps: co_await ServeHttps(*conn, *shared->tls); break;
    case ServiceKind::kSsh: co_await ServeSsh(*conn); break;
    case ServiceKind::kRedis: co_await ServeRedis(*conn, port); break;
    case ServiceKind::kTelnet: co_await ServeTelnet(*conn); break;
    case ServiceKind::kFtp: co_await ServeFtp(*conn); break;
  }
  conn->Close();
}

awaitable<void> AcceptLoop(tcp::acceptor acceptor, ServiceKind kind, uint16_t port,
                           ServeShared* shared) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer backoff(executor);
  while (acceptor.is_open()) {
    auto [ec, socket] = co_await acceptor.async_accept(kUse);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {  // e.g. EMFILE: let sessions drain before accepting again
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(kUse);
      continue;
    }
    ++shared->accepted;
    if (shared->active_sessions >= kMaxSessions) {
      std::error_code ignored;
      socket.close(ignored);
      continue;
    }
    ++shared->active_sessions;
    auto conn = std::make_shared<Conn>(std::move(socket));
    conn->Touch(kIdleTimeout);
    asio::co_spawn(executor, Watchdog(conn), asio::detached);
    asio::co_spawn(executor, RunSession(conn, kind, port, shared), asio::detached);
  }
}

}  // namespace

void StartService(tcp::acceptor acceptor, ServiceKind kind, uint16_t port, ServeShared* shared) {
  auto executor = acceptor.get_executor();
  asio::co_spawn(executor, AcceptLoop(std::move(acceptor), kind, port, shared), asio::detached);
}

}  // namespace ciiscope::app::demo
