#include "scanner/probes/http/http_exchange.h"

#include <nlohmann/json.hpp>

#include "core/hash.h"
#include "core/text.h"
#include "scanner/evidence.h"
#include "scanner/probes/http/charset.h"

namespace ciiscope::scanner {
namespace {

constexpr size_t kMaxHeaderValueBytes = 4096;

}  // namespace

std::string BuildHttpGet(std::string_view host_header, std::string_view path) {
  return BuildHttpRequest("GET", host_header, path);
}

std::string BuildHttpRequest(std::string_view method, std::string_view host_header,
                             std::string_view path) {
  std::string request(method);
  request += ' ';
  request += path;
  request += " HTTP/1.1\r\nHost: ";
  request += host_header;
  request +=
      "\r\nUser-Agent: ciiscope/0.1 (asset inventory)\r\nAccept: */*\r\n"
      "Connection: close\r\n\r\n";
  return request;
}

nlohmann::json HttpHeadersJson(const HttpResponse& r) {
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
  return headers;
}

void RecordHttp(const ProbeContext& ctx, std::string_view scheme, const HttpExchange& x,
                const nlohmann::json* extra) {
  const HttpResponse& r = x.response;
  nlohmann::json headers = HttpHeadersJson(r);
  const std::string* content_type = r.Header("content-type");
  std::string charset = DetectCharset(content_type ? *content_type : "", r.body);
  std::string utf8 = ConvertToUtf8(r.body, charset);
  std::string body = core::TruncateUtf8(utf8, ctx.body_cap);
  nlohmann::json data = {
      {"scheme", scheme},
      {"url", ServiceUrl(scheme, ctx.target, ctx.port)},
      {"status", r.status},
      {"reason", core::TruncateUtf8(core::Printable(core::SanitizeUtf8(r.reason)), 256)},
      {"headers", std::move(headers)},
      {"title", ExtractHtmlTitle(utf8)},
      {"charset", charset},
      {"body", std::move(body)},
      {"body_bytes", r.body_bytes},
      {"body_sha256", core::Sha256Hex(r.body)},
      {"truncated", r.truncated},
      {"timed_out", x.timed_out}};
  std::string error = r.error;
  if (error.empty() && x.timed_out && !r.complete) error = "timed out before the response ended";
  if (error.empty() && !x.io_error.empty()) error = x.io_error;
  if (!error.empty()) data["error"] = error;
  if (extra != nullptr && extra->is_object()) {
    for (const auto& [key, value] : extra->items()) data[key] = value;
  }
  auto obs = MakeObservation(ctx.target, ctx.port, "http");
  obs.data_json = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  obs.raw = x.raw;
  ctx.sink->Record(std::move(obs));
}

std::optional<std::string> SameHostRedirect(std::string_view location, std::string_view scheme,
                                            std::string_view host_header,
                                            std::string_view current_path) {
  location = core::TrimSpace(location);
  if (location.empty() || location.size() > 2048) return std::nullopt;
  for (char c : location) {
    if (static_cast<unsigned char>(c) < 0x21 || c == 0x7f) return std::nullopt;
  }
  std::string path;
  std::string lower = core::ToLower(location);
  if (lower.starts_with("//")) return std::nullopt;  // scheme-relative: another host
  size_t colon = lower.find(':');
  size_t slash = lower.find('/');
  if (colon != std::string::npos && (slash == std::string::npos || colon < slash)) {
    std::string prefix = std::string(scheme) + "://" + core::ToLower(host_header);
    if (!lower.starts_with(prefix)) return std::nullopt;
    std::string_view rest = location.substr(prefix.size());
    if (!rest.empty() && rest[0] != '/' && rest[0] != '?') return std::nullopt;  // "host:8080"
    path = rest.empty() ? "/" : std::string(rest);
  } else if (location[0] == '/') {
    path = std::string(location);
  } else {
    size_t dir = current_path.rfind('/');
    path = std::string(dir == std::string_view::npos ? "/" : current_path.substr(0, dir + 1));
    path += location;
  }
  if (size_t hash = path.find('#'); hash != std::string::npos) path.resize(hash);
  if (path.empty() || path[0] != '/') path.insert(path.begin(), '/');
  return path;
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
