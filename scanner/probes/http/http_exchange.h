#pragma once
// One HTTP/1.1 request/response over any Asio stream (a TCP socket or a TLS
// stream), used by the http and tls probes. Internal to the scanner library.

#include <asio/buffer.hpp>
#include <asio/ssl/error.hpp>
#include <asio/write.hpp>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "scanner/probes/conversation.h"
#include "scanner/probes/http/http_parser.h"
#include "scanner/probes/probe.h"

namespace ciiscope::scanner {

struct HttpExchange {
  HttpResponse response;
  std::string raw;          // bytes received, capped
  size_t bytes = 0;         // bytes received
  bool timed_out = false;   // the deadline (or stop) ended the exchange
  std::string io_error;     // a socket/TLS error other than a clean close
};

// "GET <path> HTTP/1.1" with Host, User-Agent, Accept and Connection: close.
std::string BuildHttpGet(std::string_view host_header, std::string_view path = "/");
// The same with another method ("HEAD"); never a request body.
std::string BuildHttpRequest(std::string_view method, std::string_view host_header,
                             std::string_view path);

// Header name (lower case) → value as printable UTF-8, capped; repeated
// headers are joined with ", ".
nlohmann::json HttpHeadersJson(const HttpResponse& response);

// Records the `http` evidence for an exchange that received any bytes. The
// title and body are converted to UTF-8 from the declared charset (GBK …);
// `extra` (an object, may be null) is merged into the evidence data last.
void RecordHttp(const ProbeContext& ctx, std::string_view scheme, const HttpExchange& exchange,
                const nlohmann::json* extra = nullptr);

// Where a redirect (301/302/303/307/308) points, as a path on the same
// scheme, host and port — "/jwglxt/" for "Location: /jwglxt/" or
// "http://<host_header>/jwglxt/"; nullopt for another host, scheme or port, or
// a malformed Location. `current_path` resolves relative locations.
std::optional<std::string> SameHostRedirect(std::string_view location, std::string_view scheme,
                                            std::string_view host_header,
                                            std::string_view current_path);

// True when the answer says the port wanted TLS (a TLS record or alert, or
// the "plain HTTP request was sent to HTTPS port" page servers return).
bool HttpAnswerSuggestsTls(const HttpExchange& exchange);

// `headers_only` (for HEAD): the exchange ends once the header block arrived.
template <typename Stream>
asio::awaitable<HttpExchange> ExchangeHttp(Stream& stream, Conversation& conv, std::string request,
                                           size_t body_cap, bool headers_only = false) {
  HttpExchange x;
  HttpParserLimits limits;
  limits.body_cap = body_cap;
  const size_t raw_cap = body_cap + limits.max_header_bytes;
  HttpResponseParser parser(limits);

  auto [wec, written] = co_await asio::async_write(stream, asio::buffer(request), kUseTuple);
  if (wec) {
    x.timed_out = conv.expired();
    if (!x.timed_out) x.io_error = wec.message();
    co_return x;
  }
  char buf[8192];
  while (true) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(buf), kUseTuple);
    if (n > 0) {
      std::string_view chunk(buf, n);
      x.bytes += n;
      if (x.raw.size() < raw_cap) x.raw.append(chunk.substr(0, raw_cap - x.raw.size()));
      if (!parser.Feed(chunk)) break;
      if (headers_only && parser.response().headers_complete) break;
    }
    if (ec) {
      if (conv.expired()) {
        x.timed_out = true;
      } else if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
                 ec == asio::error::connection_reset) {
        // A clean close, a TLS close without close_notify, or a reset: all
        // end the message (FinishAtEof says whether it was whole).
        parser.FinishAtEof();
      } else {
        x.io_error = ec.message();
      }
      break;
    }
  }
  x.response = parser.response();
  co_return x;
}

}  // namespace ciiscope::scanner
