#include "scanner/probes/http/http_probe.h"

#include <asio/this_coro.hpp>

#include "scanner/evidence.h"
#include "scanner/probes/conversation.h"
#include "scanner/probes/http/http_exchange.h"

namespace ciiscope::scanner {
namespace {

class HttpProbe : public ServiceProbe {
 public:
  std::string_view name() const override { return "http"; }
  std::string_view description() const override {
    return "GET / over plain TCP; records status, headers, title and body";
  }
  const std::vector<uint16_t>& port_hints() const override {
    static const std::vector<uint16_t> kPorts = {80, 8080, 8000, 8008, 8081, 8888};
    return kPorts;
  }

  asio::awaitable<ProbeResult> Run(const ProbeContext& ctx) const override {
    ProbeResult result;
    auto conv = Conversation::Create(co_await asio::this_coro::executor, ctx.stop, ctx.deadline);
    if (co_await conv->Connect(ToEndpoint(ctx.target.address, ctx.port))) co_return result;
    result.connected = true;
    HttpExchange x = co_await ExchangeHttp(conv->socket(), *conv,
                                           BuildHttpGet(HostHeader("http", ctx.target, ctx.port)),
                                           ctx.body_cap);
    conv->Close();
    result.bytes = x.bytes;
    result.first_bytes = x.raw.substr(0, 16);
    result.suggests_tls = HttpAnswerSuggestsTls(x);
    result.recognized = x.response.status > 0 && !result.suggests_tls;
    if (x.bytes > 0 && !LooksLikeTls(x.raw)) RecordHttp(ctx, "http", x);
    co_return result;
  }
};

}  // namespace

std::unique_ptr<ServiceProbe> MakeHttpProbe() { return std::make_unique<HttpProbe>(); }

}  // namespace ciiscope::scanner
