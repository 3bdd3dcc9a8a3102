#pragma once
// The rules' extra HTTP paths (scanner/collect_plan.h) on one HTTP(S)
// service. Internal to the scanner library; used by the http and tls probes.

#include <asio/awaitable.hpp>
#include <asio/ssl/context.hpp>
#include <string_view>

#include "scanner/probes/probe.h"

namespace ciiscope::scanner {

// Fetches ctx.http_collect's not-found path, then every request, one fresh
// connection each (Connection: close; over TLS when `tls` is set), and
// records one `http_path` observation per answered request. Redirects are
// recorded (status, Location header), never followed. Bounded: each request
// by plan.request_timeout, all of them by plan.total_timeout, each body by
// plan.body_cap; stops early on *ctx.stop. Does nothing without a plan.
asio::awaitable<void> CollectHttpPaths(const ProbeContext& ctx, std::string_view scheme,
                                       asio::ssl::context* tls);

}  // namespace ciiscope::scanner
