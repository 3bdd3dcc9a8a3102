#include "local_servers.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
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

sockaddr_in Loopback(uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return sa;
}

// Waits up to 50 ms for `events`; true if ready.
bool WaitFor(int fd, short events) {
  pollfd p{fd, events, 0};
  return poll(&p, 1, 50) > 0;
}

// Reads until "\r\n\r\n", EOF or the time limit; true if a request arrived.
bool ReadRequest(int fd, const std::atomic<bool>& stop, Clock::time_point end) {
  std::string got;
  char buf[1024];
  while (!stop && Clock::now() < end && got.size() < 65536) {
    if (!WaitFor(fd, POLLIN)) continue;
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return false;
    got.append(buf, static_cast<size_t>(n));
    if (got.find("\r\n\r\n") != std::string::npos) return true;
  }
  return false;
}

void WaitForClose(int fd, const std::atomic<bool>& stop, Clock::time_point end) {
  char buf[1024];
  while (!stop && Clock::now() < end) {
    if (!WaitFor(fd, POLLIN)) continue;
    if (recv(fd, buf, sizeof(buf), 0) <= 0) return;
  }
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

TestCert TestCert::Make(const std::string& cn, int days, const TestCert* issuer) {
  TestCert out;
  out.key_.reset(EVP_RSA_gen(2048), EVP_PKEY_free);
  out.cert_.reset(X509_new(), X509_free);
  X509* x = out.cert_.get();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 42);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), static_cast<long>(days) * 86400);
  X509_set_pubkey(x, out.key_.get());
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("Demo Univ"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(x, issuer != nullptr ? X509_get_subject_name(issuer->x509()) : name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, issuer != nullptr ? issuer->x509() : x, x, nullptr, nullptr, 0);
  std::string san = "DNS:" + cn + ",IP:127.0.0.1";
  if (X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, NID_subject_alt_name, san.c_str())) {
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(x, issuer != nullptr ? issuer->key() : out.key_.get(), EVP_sha256());
  return out;
}

TestCert TestCert::SelfSigned(const std::string& cn, int days) { return Make(cn, days, nullptr); }

TestCert TestCert::IssuedBy(const TestCert& issuer, const std::string& cn, int days) {
  return Make(cn, days, &issuer);
}

std::string TestCert::Der() const {
  unsigned char* der = nullptr;
  int len = i2d_X509(cert_.get(), &der);
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(std::max(len, 0)));
  OPENSSL_free(der);
  return out;
}

LoopbackServer::LoopbackServer(int max_connections) : max_connections_(max_connections) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa = Loopback(0);
  if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 ||
      listen(listen_fd_, 64) != 0) {
    throw std::runtime_error(std::string("test server: ") + std::strerror(errno));
  }
  socklen_t len = sizeof(sa);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&sa), &len);
  port_ = ntohs(sa.sin_port);
}

LoopbackServer::~LoopbackServer() {
  Stop();
  close(listen_fd_);
}

void LoopbackServer::Start() {
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

void LoopbackServer::Stop() {
  stop_ = true;
  if (acceptor_.joinable()) acceptor_.join();
  std::lock_guard lock(mu_);
  for (auto& t : workers_) {
    if (t.joinable()) t.join();
  }
}

void LoopbackServer::AcceptLoop() {
  while (!stop_) {
    if (!WaitFor(listen_fd_, POLLIN)) continue;
    int fd = accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    if (connections_.fetch_add(1) >= max_connections_) {
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

LocalServer::LocalServer(Behavior behavior, std::string payload, const TestCert* cert)
    : LoopbackServer(64), behavior_(behavior), payload_(std::move(payload)), cert_(cert) {
  Start();
}

LocalServer::~LocalServer() { Stop(); }

void LocalServer::Serve(int fd) {
  auto end = Clock::now() + kMaxConnectionTime;
  const std::atomic<bool>& stop = stop_flag();
  switch (behavior_) {
    case Behavior::kBanner:
      SendAll(fd, payload_);
      WaitForClose(fd, stop, end);
      return;
    case Behavior::kHttp:
      if (ReadRequest(fd, stop, end)) SendAll(fd, payload_);
      return;
    case Behavior::kReply: {
      char buf[1024];
      while (!stop && Clock::now() < end && !WaitFor(fd, POLLIN)) {
      }
      if (recv(fd, buf, sizeof(buf), 0) <= 0) return;
      SendAll(fd, payload_);
      WaitForClose(fd, stop, end);
      return;
    }
    case Behavior::kSilent:
      WaitForClose(fd, stop, end);
      return;
    case Behavior::kFlood: {
      fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
      std::string chunk(16384, 'F');
      while (!stop && Clock::now() < end) {
        if (!WaitFor(fd, POLLOUT)) continue;
        ssize_t n = send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return;
      }
      return;
    }
    case Behavior::kDrip:
      for (char c : payload_) {
        if (stop || Clock::now() >= end) return;
        SendAll(fd, std::string(1, c));
        for (int i = 0; i < 20 && !stop; ++i) WaitFor(fd, 0);  // ~1 s in 50 ms steps
      }
      WaitForClose(fd, stop, end);
      return;
    case Behavior::kEndlessChunked: {
      if (!ReadRequest(fd, stop, end)) return;
      SendAll(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
      fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
      std::string chunk = "1000\r\n" + std::string(4096, 'c') + "\r\n";
      while (!stop && Clock::now() < end) {
        if (!WaitFor(fd, POLLOUT)) continue;
        ssize_t n = send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return;
      }
      return;
    }
    case Behavior::kTlsLongChain:
    case Behavior::kTlsHttp: {
      timeval tv{3, 0};
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
      std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_server_method()),
                                                            &SSL_CTX_free);
      SSL_CTX_use_certificate(ctx.get(), cert_->x509());
      SSL_CTX_use_PrivateKey(ctx.get(), cert_->key());
      for (int i = 1; behavior_ == Behavior::kTlsLongChain && i < 60; ++i) {
        SSL_CTX_add1_chain_cert(ctx.get(), cert_->x509());
      }
      std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), &SSL_free);
      SSL_set_fd(ssl.get(), fd);
      if (SSL_accept(ssl.get()) != 1) return;
      std::string got;
      char buf[1024];
      while (got.find("\r\n\r\n") == std::string::npos && got.size() < 65536) {
        int n = SSL_read(ssl.get(), buf, sizeof(buf));
        if (n <= 0) return;
        got.append(buf, static_cast<size_t>(n));
      }
      SSL_write(ssl.get(), payload_.data(), static_cast<int>(payload_.size()));
      SSL_shutdown(ssl.get());
      return;
    }
  }
}

ScriptServer::ScriptServer(std::string greeting, std::vector<ScriptStep> steps,
                           bool per_connection)
    : LoopbackServer(16),
      greeting_(std::move(greeting)),
      steps_(std::move(steps)),
      per_connection_(per_connection) {
  Start();
}

ScriptServer::~ScriptServer() { Stop(); }

std::string ScriptServer::received() const {
  std::lock_guard lock(mu_);
  return received_;
}

void ScriptServer::Serve(int fd) {
  auto end = Clock::now() + kMaxConnectionTime;
  SendAll(fd, greeting_);
  size_t step = 0;
  std::string pending;
  char buf[4096];
  while (!stopping() && Clock::now() < end) {
    if (!WaitFor(fd, POLLIN)) continue;
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return;
    pending.append(buf, static_cast<size_t>(n));
    std::string reply;
    {
      std::lock_guard lock(mu_);
      received_.append(buf, static_cast<size_t>(n));
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

uint16_t ClosedLoopbackPort() {
  for (int attempt = 0; attempt < 20; ++attempt) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa = Loopback(0);
    socklen_t len = sizeof(sa);
    if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
      close(fd);
      continue;
    }
    uint16_t port = ntohs(sa.sin_port);
    close(fd);
    int probe = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in target = Loopback(port);
    int rc = connect(probe, reinterpret_cast<sockaddr*>(&target), sizeof(target));
    int err = errno;
    close(probe);
    if (rc != 0 && err == ECONNREFUSED) return port;
  }
  return 0;
}

}  // namespace ciiscope::scanner::testing
