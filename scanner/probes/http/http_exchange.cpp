#include "scanner/probes/http/http_exchange.h"

#include <nlohmann/json.hpp>

#include "core/hash.h"
#include "core/text.h"
#include "scanner/evidence.h"

namespace ciiscope::scanner {
namespace {

constexpr size_t kMaxHeaderValueBytes = 4096;

}  // namespace

std::string BuildHttpGet(std::string_view host_header) {
  std::string request = "GET / HTTP/1.1\r\nHost: ";
  request += host_header;
  request +=
      "\r\nUser-Agent: ciiscope/0.1 (asset inventory)\r\nAccept: */*\r\n"
      "Connection: close\r\n\r\n";
  return request;
}

void RecordHttp(const ProbeContext& ctx, std::string_view scheme, const HttpExchange& x) {
  const HttpResponse& r = x.response;
  nlohmann::json headers = nlohmann::json::object();
  for (const auto& h : r.headers) {
    std::string name = core::Printable(core::SanitizeUtf8(h.name));
    std::string value = core::TruncateUtf8(core::Printable(core::SanitizeUtf8(h.value)),
                                           kMaxHeaderValueBytes);
    if (headers.contains(name)) {
      headers[name] = headers[name].get<std::string>() + ", " + value;
    } else {
      headers[name] = value;
    }
  }
  std::string body = core::TruncateUtf8(core::SanitizeUtf8(r.body), ctx.body_cap);
  nlohmann::json data = {
      {"scheme", scheme},
      {"url", ServiceUrl(scheme, ctx.target, ctx.port)},
      {"status", r.status},
      {"reason", core::TruncateUtf8(core::Printable(core::SanitizeUtf8(r.reason)), 256)},
      {"headers", std::move(headers)},
      {"title", ExtractHtmlTitle(r.body)},
      {"body", std::move(body)},
      {"body_bytes", r.body_bytes},
      {"body_sha256", core::Sha256Hex(r.body)},
      {"truncated", r.truncated},
      {"timed_out", x.timed_out}};
  std::string error = r.error;
  if (error.empty() && x.timed_out && !r.complete) error = "timed out before the response ended";
  if (error.empty() && !x.io_error.empty()) error = x.io_error;
  if (!error.empty()) data["error"] = error;
  auto obs = MakeObservation(ctx.target, ctx.port, "http");
  obs.data_json = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  obs.raw = x.raw;
  ctx.sink->Record(std::move(obs));
}

bool HttpAnswerSuggestsTls(const HttpExchange& x) {
  if (LooksLikeTls(x.raw)) return true;
  if (x.response.status != 400) return false;
  std::string body = core::ToLower(x.response.body.substr(0, 4096));
  return body.find("https port") != std::string::npos ||
         body.find("speaking plain http to an ssl") != std::string::npos ||
         body.find("sent to https") != std::string::npos ||
         body.find("http request to an https server") != std::string::npos;
}

}  // namespace ciiscope::scanner
