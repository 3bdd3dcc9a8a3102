#pragma once
// Test-only servers on 127.0.0.1 (ephemeral ports this process bound) and
// test certificates. Every loop is bounded in time; nothing leaves loopback.

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
};

class LocalServer {
 public:
  LocalServer(Behavior behavior, std::string payload = "", const TestCert* cert = nullptr);
  ~LocalServer();
  LocalServer(const LocalServer&) = delete;
  LocalServer& operator=(const LocalServer&) = delete;

  uint16_t port() const { return port_; }
  int connections() const { return connections_.load(); }

 private:
  void AcceptLoop();
  void Serve(int fd);

  Behavior behavior_;
  std::string payload_;
  const TestCert* cert_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> workers_;
};

// A 127.0.0.1 port this process bound and closed, verified to refuse
// connections; 0 if none could be verified.
uint16_t ClosedLoopbackPort();

}  // namespace ciiscope::scanner::testing
