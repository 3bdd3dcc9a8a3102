#pragma once
// Extra evidence the rule packs asked for (`collect:` blocks, built by app/
// from rulelang::HttpCollectRequests and NamedCollectRequests).
// - HTTP paths: the http and tls probes fetch each path on every HTTP(S)
//   service after "/", read-only (GET or HEAD, no body, no redirects
//   followed), and record one `http_path` observation per path.
// - Named protocol requests (rulelang::CollectRequests(), a compiled-in
//   read-only allow-list): the probe of the matching protocol makes the
//   request (or reuses the answer it already has) once it recognized the
//   service, and records one `collect` observation per request.

#include <chrono>
#include <cstddef>
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace ciiscope::scanner {

struct HttpCollectPlan {
  struct Request {
    std::string path;    // validated by rulelang (starts with '/', plain path)
    bool head = false;   // HEAD instead of GET
  };
  // Paths past kMaxPaths are dropped (the caller warns).
  static constexpr size_t kMaxPaths = 64;
  std::vector<Request> requests;
  // Allow-listed request names ("redis-info", …), sorted; unknown names are
  // ignored by the probes.
  std::vector<std::string> named;
  // A path that cannot exist, fetched first so the assessor can recognize
  // "soft 404" pages (200 for everything); empty = none.
  std::string not_found_path = "/ciiscope-not-found-7f3e9c2a";
  std::chrono::milliseconds request_timeout{3000};  // one path or named request (connect + TLS + response)
  std::chrono::milliseconds total_timeout{20000};   // all paths of one service
  size_t body_cap = 64 * 1024;       // bytes read per response or named request (more = truncated)
  size_t stored_body_cap = 8 * 1024; // body prefix kept in the evidence

  bool empty() const { return requests.empty() && named.empty(); }
  bool Wants(std::string_view name) const {
    return std::find(named.begin(), named.end(), name) != named.end();
  }
};

}  // namespace ciiscope::scanner
