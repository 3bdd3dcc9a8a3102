#pragma once
// `collect:` blocks (docs/rules.md "Collect"): extra evidence a rule needs,
// gathered by the scanner and judged by the rule. Read-only by construction:
// only GET and HEAD of a plain path on the service itself (no scheme, host,
// query, percent-encoding, dot segments or request body). The loader
// validates a block and stores it normalized in Rule::collect:
//   {"http": [{"path": "/.git/HEAD", "method": "GET"}, …],
//    "requests": ["redis-info", …]}
// `requests` are named protocol requests: only names of the read-only
// allow-list below (kCollectRequests) are accepted; a rule never supplies bytes.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "rulelang/rule.h"

namespace ciiscope::rulelang {

inline constexpr size_t kMaxCollectPathBytes = 256;   // one path
inline constexpr size_t kMaxCollectPerRule = 16;      // http entries in one rule

// One named protocol request the scanner knows how to make (read-only).
struct CollectRequestInfo {
  std::string_view name;      // e.g. "redis-info"; facts under collect.<name with '_' for '-'>
  std::string_view protocol;  // the probe whose service it is sent to
  std::string_view what;      // what goes on the wire, for docs and lint messages
};

// The allow-list, sorted by name.
const std::vector<CollectRequestInfo>& CollectRequests();
// Nullptr when `name` is not on the allow-list.
const CollectRequestInfo* FindCollectRequest(std::string_view name);
// "elasticsearch-root, memcached-stats, …" (for error messages).
std::string CollectRequestNameList();

struct HttpCollectRequest {
  std::string path;    // starts with '/'
  std::string method;  // "GET" | "HEAD"

  bool operator==(const HttpCollectRequest&) const = default;
  auto operator<=>(const HttpCollectRequest&) const = default;
};

// Why `path` cannot be collected ("" when it can): it must start with '/',
// not "//", be at most kMaxCollectPathBytes of RFC 3986 path characters
// (letters, digits, - . _ ~ ! $ & ' ( ) * + , ; = : @ and /) with no "." or
// ".." segment.
std::string CollectPathProblem(std::string_view path);

// The HTTP requests of every rule's collect block: deduplicated, sorted by
// (path, method). Rules without a block add nothing.
std::vector<HttpCollectRequest> HttpCollectRequests(const std::vector<Rule>& rules);

// The named protocol requests of every rule's collect block: allow-listed
// names only, deduplicated, sorted.
std::vector<std::string> NamedCollectRequests(const std::vector<Rule>& rules);

}  // namespace ciiscope::rulelang
