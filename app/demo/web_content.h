#pragma once
// What the demo web servers say: request-head parsing and the full response
// bytes for each site. Pure functions over strings (no sockets).

#include <optional>
#include <string>
#include <string_view>

namespace ciiscope::app::demo {

enum class WebSite {
  kPortal,        // portal: 统一身份认证 login over plain HTTP, nginx/1.18.0
  kNginxDefault,  // www:80: "Welcome to nginx!", nginx/1.22.1
  kWwwTls,        // www:443: the university home page with HSTS
};

struct HttpRequest {
  std::string method;
  std::string target;  // path and query as sent
  std::string version;
};

enum class HeadState { kIncomplete, kComplete, kMalformed };

// Parses the request line once "\r\n\r\n" (or "\n\n") has arrived.
HeadState ParseHttpRequestHead(std::string_view bytes, HttpRequest* out);

// The complete response (status line, headers, body) for a request.
std::string HttpResponseFor(WebSite site, const HttpRequest& request);
// 400 for a malformed or oversized request head.
std::string HttpBadRequest(WebSite site);

// A 16x16 32-bit ICO, the same bytes every run (stable favicon hash).
const std::string& PortalFavicon();

}  // namespace ciiscope::app::demo
