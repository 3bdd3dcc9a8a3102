#pragma once
// The rules' extra HTTP paths (scanner/collect_plan.h) on one HTTP(S)
// service. Internal to the scanner library; used by the http and tls probes.

#include <asio/awaitable.hpp>
#include <asio/ssl/context.hpp>
#include <nlohmann/json.hpp>
#include <string_view>

#include "scanner/probes/http/http_parser.h"
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

// Pure: the collect facts of an Elasticsearch/OpenSearch root answer —
// {"status": 200, "name", "cluster_name", "cluster_uuid", "version":
// {"number", "build_flavor", "distribution", …}, "tagline"} (within the
// collect caps), {"status": 401, "auth_required": true} when security
// refused it, null when the answer is not from such a cluster. Bodies nested
// deeper than 32 levels are not parsed.
nlohmann::json ElasticsearchRootFacts(const HttpResponse& root);

// collect: elasticsearch-root — records ElasticsearchRootFacts of the "/"
// answer the probe already has (no extra request) when the rules ask for it.
void CollectElasticsearchRoot(const ProbeContext& ctx, const HttpResponse& root);

}  // namespace ciiscope::scanner
