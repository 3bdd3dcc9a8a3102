#include "scanner/probes/tls/tls_probe.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <asio/ssl.hpp>
#include <asio/this_coro.hpp>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/net.h"
#include "scanner/evidence.h"
#include "scanner/probes/conversation.h"
#include "scanner/probes/http/http_collect.h"
#include "scanner/probes/http/http_exchange.h"
#include "scanner/probes/tls/cert_summary.h"

namespace ciiscope::scanner {
namespace {

using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;

std::string LeafDer(X509* cert) {
  unsigned char* der = nullptr;
  int len = i2d_X509(cert, &der);
  if (len <= 0 || der == nullptr) return "";
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

constexpr long kMaxCertListBytes = 96 * 1024;

void RecordTls(const ProbeContext& ctx, SSL* ssl) {
  nlohmann::json data = {{"version", SSL_get_version(ssl)}};
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
  data["cipher"] = cipher != nullptr ? SSL_CIPHER_get_name(cipher) : "";
  auto obs = MakeObservation(ctx.target, ctx.port, "tls");
  X509Ptr leaf(SSL_get1_peer_certificate(ssl), &X509_free);
  if (leaf) {
    if (auto summary = SummarizeCertificate(leaf.get(), core::NowMillis())) {
      data["cert"] = nlohmann::json::parse(CertSummaryJson(*summary));
    }
    obs.raw = LeafDer(leaf.get());
  }
  obs.data_json = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  ctx.sink->Record(std::move(obs));
}

class TlsProbe : public ServiceProbe {
 public:
  TlsProbe() : ssl_ctx_(asio::ssl::context::tls_client) {
    // An inventory must see old and misconfigured servers too: no
    // verification, every protocol version and cipher OpenSSL still has.
    ssl_ctx_.set_verify_mode(asio::ssl::verify_none);
    SSL_CTX* native = ssl_ctx_.native_handle();
    SSL_CTX_set_security_level(native, 0);
    SSL_CTX_set_min_proto_version(native, 0);
    SSL_CTX_set_cipher_list(native, "ALL:COMPLEMENTOFALL:@SECLEVEL=0");
    SSL_CTX_set_options(native, SSL_OP_LEGACY_SERVER_CONNECT | SSL_OP_IGNORE_UNEXPECTED_EOF);
    // Cap on the peer's certificate list (handshake bytes): a 60-certificate
    // chain of ordinary certificates fits, a flood does not.
    SSL_CTX_set_max_cert_list(native, kMaxCertListBytes);
  }

  std::string_view name() const override { return "tls"; }
  std::string_view description() const override {
    return "TLS handshake (version, cipher, certificate), then GET / and the rules' collect paths over HTTPS";
  }
  const std::vector<uint16_t>& port_hints() const override {
    static const std::vector<uint16_t> kPorts = {443, 8443, 9443};
    return kPorts;
  }

  asio::awaitable<ProbeResult> Run(const ProbeContext& ctx) const override {
    ProbeResult result;
    auto conv = Conversation::Create(co_await asio::this_coro::executor, ctx.stop, ctx.deadline);
    if (co_await conv->Connect(ToEndpoint(ctx.target.address, ctx.port))) co_return result;
    result.connected = true;
    asio::ssl::stream<asio::ip::tcp::socket&> stream(conv->socket(), ssl_ctx_);
    const std::string& host = ctx.target.hostname;
    if (!host.empty() && !core::IpAddress::Parse(host)) {
      SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
    }
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::client, kUseTuple);
    if (ec) {
      conv->Close();
      co_return result;
    }
    result.recognized = true;
    result.first_bytes = "\x16\x03";
    RecordTls(ctx, stream.native_handle());

    HttpExchange x = co_await ExchangeHttp(stream, *conv,
                                           BuildHttpGet(HostHeader("https", ctx.target, ctx.port)),
                                           ctx.body_cap);
    conv->Close();
    result.bytes = x.bytes;
    if (x.bytes > 0) RecordHttp(ctx, "https", x);
    if (x.response.status > 0) CollectElasticsearchRoot(ctx, x.response);
    if (x.response.status > 0) co_await CollectHttpPaths(ctx, "https", &ssl_ctx_);
    co_return result;
  }

 private:
  // SSL_CTX is safe to share between connections on different threads.
  mutable asio::ssl::context ssl_ctx_;
};

}  // namespace

std::unique_ptr<ServiceProbe> MakeTlsProbe() { return std::make_unique<TlsProbe>(); }

}  // namespace ciiscope::scanner
