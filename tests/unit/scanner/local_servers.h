#pragma once
// Test-only servers on 127.0.0.1 (ephemeral ports this process bound) and
// test certificates, shared by the scanner and probe tests. Every loop is
// bounded in time (10 s a connection) and count; nothing leaves loopback.

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ciiscope::scanner::testing {

class TestCert {
 public:
  // RSA-2048, SHA-256, O=Demo Univ, SANs {cn, 127.0.0.1}, valid from now for `days`.
  static TestCert SelfSigned(const std::string& cn, int days);
  static TestCert IssuedBy(const TestCert& issuer, const std::string& cn, int days);
  X509* x509() const { return cert_.get(); }
  EVP_PKEY* key() const { return key_.get(); }
  std::string Der() const;

 private:
  static TestCert Make(const std::string& cn, int days, const TestCert* issuer);
  std::shared_ptr<X509> cert_;
  std::shared_ptr<EVP_PKEY> key_;
};

enum class Behavior {
  kBanner,   // sends `payload` on connect, then waits for the client to close
  kHttp,     // reads a request, answers `payload`, closes
  kSilent,   // accepts and says nothing
  kFlood,    // sends bytes until the client closes (at most ~10 s)
  kTlsHttp,  // TLS handshake with `cert`, reads a request, answers `payload`
  kReply,    // reads whatever the client sends first, answers `payload`, waits for close
  kDrip,     // sends `payload` one byte a second (at most ~10 s)
  kEndlessChunked,  // reads a request, answers 200 with 4 KiB chunks until the client closes
  kTlsLongChain,    // like kTlsHttp, the leaf followed by 59 more copies of `cert` (60 in all)
};

// Listening socket, accept loop and one bounded worker thread a connection;
// subclasses say what a connection gets. A subclass calls Start() at the end
// of its constructor and Stop() first in its destructor (workers call Serve).
class LoopbackServer {
 public:
  virtual ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  uint16_t port() const { return port_; }
  int connections() const { return connections_.load(); }

 protected:
  explicit LoopbackServer(int max_connections);
  void Start();
  void Stop();
  virtual void Serve(int fd) = 0;
  bool stopping() const { return stop_.load(); }
  const std::atomic<bool>& stop_flag() const { return stop_; }

 private:
  void AcceptLoop();

  int max_connections_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> workers_;
};

class LocalServer : public LoopbackServer {
 public:
  LocalServer(Behavior behavior, std::string payload = "", const TestCert* cert = nullptr);
  ~LocalServer() override;

 private:
  void Serve(int fd) override;

  Behavior behavior_;
  std::string payload_;
  const TestCert* cert_;
};

// Scripted server: sends a greeting on connect, then answers each expected
// request in order.
struct ScriptStep {
  std::string expect_prefix;  // the request must start with this (may be "")
  std::string reply;          // sent once a request with the prefix arrived
};

class ScriptServer : public LoopbackServer {
 public:
  // per_connection: every connection runs the whole script; otherwise the
  // steps are shared, each connection answering the next one (HTTP, one
  // request per connection).
  ScriptServer(std::string greeting, std::vector<ScriptStep> steps, bool per_connection = true);
  ~ScriptServer() override;

  // Everything clients sent, all connections concatenated.
  std::string received() const;

 private:
  void Serve(int fd) override;

  std::string greeting_;
  std::vector<ScriptStep> steps_;
  bool per_connection_;
  mutable std::mutex mu_;
  size_t shared_step_ = 0;  // guarded by mu_
  std::string received_;    // guarded by mu_
};

// A 127.0.0.1 port this process bound and closed, verified to refuse
// connections; 0 if none could be verified.
uint16_t ClosedLoopbackPort();

}  // namespace ciiscope::scanner::testing
