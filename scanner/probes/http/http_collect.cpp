#include "scanner/probes/http/http_collect.h"

#include <asio/ssl.hpp>
#include <asio/this_coro.hpp>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <optional>

#include "core/hash.h"
#include "core/net.h"
#include "core/text.h"
#include "scanner/evidence.h"
#include "scanner/probes/common/collected.h"
#include "scanner/probes/conversation.h"
#include "scanner/probes/http/charset.h"
#include "scanner/probes/http/http_exchange.h"

// See http_probe.cpp: GCC 12's false -Wmismatched-new-delete in coroutines.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace ciiscope::scanner {
namespace {

constexpr size_t kMagicBytes = 8;
constexpr size_t kStoredRawBytes = 4096;

std::string HexPrefix(std::string_view bytes, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < std::min(n, bytes.size()); ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

// One request on a fresh connection; nullopt when it could not connect (or
// the TLS handshake failed).
asio::awaitable<std::optional<HttpExchange>> FetchOnce(const ProbeContext& ctx,
                                                      asio::ssl::context* tls,
                                                      std::string request, bool head,
                                                      SteadyTime deadline, size_t body_cap) {
  auto conv = Conversation::Create(co_await asio::this_coro::executor, ctx.stop, deadline);
  if (co_await conv->Connect(ToEndpoint(ctx.target.address, ctx.port))) co_return std::nullopt;
  std::optional<HttpExchange> out;
  if (tls == nullptr) {
    out = co_await ExchangeHttp(conv->socket(), *conv, std::move(request), body_cap, head);
  } else {
    asio::ssl::stream<asio::ip::tcp::socket&> stream(conv->socket(), *tls);
    const std::string& host = ctx.target.hostname;
    if (!host.empty() && !core::IpAddress::Parse(host)) {
      SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
    }
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::client, kUseTuple);
    if (!ec) out = co_await ExchangeHttp(stream, *conv, std::move(request), body_cap, head);
  }
  conv->Close();
  co_return out;
}

void RecordPath(const ProbeContext& ctx, std::string_view scheme, const HttpCollectPlan& plan,
                const std::string& path, bool head, bool not_found_check, const HttpExchange& x) {
  const HttpResponse& r = x.response;
  // A HEAD answer has no body, whatever a server sent after its headers.
  const std::string_view raw_body = head ? std::string_view() : std::string_view(r.body);
  const uint64_t body_bytes = head ? 0 : r.body_bytes;
  const std::string* content_type = r.Header("content-type");
  std::string charset = DetectCharset(content_type ? *content_type : "", raw_body);
  std::string utf8 = ConvertToUtf8(raw_body, charset);
  nlohmann::json data = {
      {"scheme", scheme},
      {"url", ServiceUrl(scheme, ctx.target, ctx.port) + path.substr(1)},
      {"path", path},
      {"method", head ? "HEAD" : "GET"},
      {"status", r.status},
      {"reason", core::TruncateUtf8(core::Printable(core::SanitizeUtf8(r.reason)), 256)},
      {"headers", HttpHeadersJson(r)},
      {"content_type",
       content_type ? core::TruncateUtf8(core::Printable(core::SanitizeUtf8(*content_type)), 256) : ""},
      {"title", ExtractHtmlTitle(utf8)},
      {"body", core::TruncateUtf8(utf8, plan.stored_body_cap)},
      {"body_bytes", body_bytes},
      {"body_sha256", core::Sha256Hex(raw_body)},
      {"magic", HexPrefix(raw_body, kMagicBytes)},
      {"truncated", !head && (r.truncated || r.body_bytes > r.body.size())},
      {"timed_out", x.timed_out}};
  if (not_found_check) data["not_found_check"] = true;
  std::string error = r.error;
  if (error.empty() && x.timed_out && !r.complete && !(head && r.headers_complete)) {
    error = "timed out before the response ended";
  }
  if (error.empty() && !x.io_error.empty()) error = x.io_error;
  if (!error.empty()) data["error"] = error;
  auto obs = MakeObservation(ctx.target, ctx.port, "http_path");
  obs.data_json = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  obs.raw = x.raw.substr(0, kStoredRawBytes);
  ctx.sink->Record(std::move(obs));
}

// Nesting depth of JSON text (brackets outside strings), stopping past `limit`.
bool JsonNestingWithin(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > limit) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

}  // namespace

nlohmann::json ElasticsearchRootFacts(const HttpResponse& root) {
  const std::string* auth = root.Header("www-authenticate");
  if ((root.status == 401 || root.status == 403) &&
      (root.body.find("security_exception") != std::string::npos ||
       (auth != nullptr && auth->find("realm=\"security\"") != std::string::npos))) {
    return {{"status", root.status}, {"auth_required", true}};
  }
  if (root.status != 200 || root.truncated || !JsonNestingWithin(root.body, 32)) return nullptr;
  nlohmann::json doc = nlohmann::json::parse(root.body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("cluster_name") || !doc.contains("version") ||
      !doc["version"].is_object()) {
    return nullptr;
  }
  nlohmann::json facts = nlohmann::json::object();
  for (const char* key : {"name", "cluster_name", "cluster_uuid", "version", "tagline"}) {
    if (doc.contains(key)) facts[key] = BoundedJson(doc[key], 1);
  }
  facts["status"] = root.status;
  facts["auth_required"] = false;
  return facts;
}

void CollectElasticsearchRoot(const ProbeContext& ctx, const HttpResponse& root) {
  if (!WantsCollect(ctx, "elasticsearch-root")) return;
  nlohmann::json facts = ElasticsearchRootFacts(root);
  if (facts.is_null()) return;
  RecordCollect(ctx, "elasticsearch-root", std::move(facts), root.body.substr(0, 4096));
}

asio::awaitable<void> CollectHttpPaths(const ProbeContext& ctx, std::string_view scheme,
                                       asio::ssl::context* tls) {
  if (ctx.http_collect == nullptr || ctx.http_collect->requests.empty()) co_return;
  const HttpCollectPlan& plan = *ctx.http_collect;
  const std::string host = HostHeader(scheme, ctx.target, ctx.port);
  const SteadyTime end = std::chrono::steady_clock::now() + plan.total_timeout;

  struct Item {
    const std::string* path;
    bool head;
    bool not_found_check;
  };
  std::vector<Item> items;
  if (!plan.not_found_path.empty()) items.push_back({&plan.not_found_path, false, true});
  const size_t n = std::min(plan.requests.size(), HttpCollectPlan::kMaxPaths);
  for (size_t i = 0; i < n; ++i) items.push_back({&plan.requests[i].path, plan.requests[i].head, false});

  int failed_connects = 0;
  for (const Item& item : items) {
    const SteadyTime now = std::chrono::steady_clock::now();
    if (now >= end || ctx.stop->load(std::memory_order_relaxed)) break;
    const SteadyTime deadline = std::min(end, now + plan.request_timeout);
    std::optional<HttpExchange> x =
        co_await FetchOnce(ctx, tls, BuildHttpRequest(item.head ? "HEAD" : "GET", host, *item.path),
                           item.head, deadline, plan.body_cap);
    if (!x) {
      // The service went away (or refuses us): do not keep knocking.
      if (++failed_connects >= 2) break;
      continue;
    }
    if (x->bytes == 0) continue;
    RecordPath(ctx, scheme, plan, *item.path, item.head, item.not_found_check, *x);
  }
}

}  // namespace ciiscope::scanner
