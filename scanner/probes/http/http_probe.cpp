#include "scanner/probes/http/http_probe.h"

#include <asio/this_coro.hpp>
#include <nlohmann/json.hpp>

#include "scanner/evidence.h"
#include "scanner/probes/conversation.h"
#include "scanner/probes/http/favicon.h"
#include "scanner/probes/http/http_collect.h"
#include "scanner/probes/http/http_exchange.h"

// GCC 12 reports a false -Wmismatched-new-delete when it inlines asio's
// awaitable frame allocator (aligned_alloc, released by its own aligned
// delete) into this coroutine.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace ciiscope::scanner {
namespace {

constexpr int kMaxRedirects = 3;
constexpr size_t kFaviconCap = 64 * 1024;

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// One GET on a fresh connection.
asio::awaitable<std::optional<HttpExchange>> Get(const ProbeContext& ctx, std::string_view path,
                                                 size_t body_cap) {
  auto conv = Conversation::Create(co_await asio::this_coro::executor, ctx.stop, ctx.deadline);
  if (co_await conv->Connect(ToEndpoint(ctx.target.address, ctx.port))) co_return std::nullopt;
  HttpExchange x = co_await ExchangeHttp(
      conv->socket(), *conv, BuildHttpGet(HostHeader("http", ctx.target, ctx.port), path), body_cap);
  conv->Close();
  co_return x;
}

class HttpProbe : public ServiceProbe {
 public:
  std::string_view name() const override { return "http"; }
  std::string_view description() const override {
    return "GET / over plain TCP (same-host redirects, /favicon.ico, the rules' collect paths); "
           "records status, headers, title, body and favicon hashes";
  }
  const std::vector<uint16_t>& port_hints() const override {
    static const std::vector<uint16_t> kPorts = {80, 8080, 8000, 8008, 8081, 8888};
    return kPorts;
  }

  asio::awaitable<ProbeResult> Run(const ProbeContext& ctx) const override {
    ProbeResult result;
    std::optional<HttpExchange> first = co_await Get(ctx, "/", ctx.body_cap);
    if (!first) co_return result;
    result.connected = true;
    HttpExchange x = std::move(*first);
    result.bytes = x.bytes;
    result.first_bytes = x.raw.substr(0, 16);
    result.suggests_tls = HttpAnswerSuggestsTls(x);
    result.recognized = x.response.status > 0 && !result.suggests_tls;
    if (x.bytes == 0 || LooksLikeTls(x.raw)) co_return result;

    const std::string host = HostHeader("http", ctx.target, ctx.port);
    std::string path = "/";
    nlohmann::json redirects = nlohmann::json::array();
    // Bounded: at most kMaxRedirects more requests, each under ctx.deadline.
    for (int hop = 0; hop < kMaxRedirects && IsRedirect(x.response.status); ++hop) {
      const std::string* location = x.response.Header("location");
      if (location == nullptr) break;
      std::optional<std::string> next = SameHostRedirect(*location, "http", host, path);
      if (!next || *next == path) break;
      std::optional<HttpExchange> followed = co_await Get(ctx, *next, ctx.body_cap);
      if (!followed || followed->response.status == 0) break;
      redirects.push_back({{"url", ServiceUrl("http", ctx.target, ctx.port) + path.substr(1)},
                           {"status", x.response.status},
                           {"location", *next}});
      path = *next;
      x = std::move(*followed);
    }
    nlohmann::json extra = nlohmann::json::object();
    if (!redirects.empty()) {
      extra["redirects"] = std::move(redirects);
      extra["url"] = ServiceUrl("http", ctx.target, ctx.port) + path.substr(1);
    }
    if (result.recognized && !ctx.stop->load(std::memory_order_relaxed)) {
      std::optional<HttpExchange> icon = co_await Get(ctx, "/favicon.ico", kFaviconCap);
      if (icon && icon->response.status == 200 && !icon->response.body.empty()) {
        const std::string& bytes = icon->response.body;
        extra["favicon"] = {{"mmh3", FaviconMmh3(bytes)},
                            {"md5", Md5Hex(bytes)},
                            {"bytes", bytes.size()},
                            {"truncated", icon->response.truncated}};
      }
    }
    RecordHttp(ctx, "http", x, &extra);
    if (result.recognized && !extra.contains("redirects")) CollectElasticsearchRoot(ctx, x.response);
    if (result.recognized) co_await CollectHttpPaths(ctx, "http", nullptr);
    co_return result;
  }
};

}  // namespace

std::unique_ptr<ServiceProbe> MakeHttpProbe() { return std::make_unique<HttpProbe>(); }

}  // namespace ciiscope::scanner
