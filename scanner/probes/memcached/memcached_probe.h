#pragma once
// memcached probe: "version" then "stats" (read-only text protocol) →
// `probe` evidence {"probe": "memcached-version", "version": "1.6.18",
// "stats": {"pid": "…", "uptime": "…", "curr_connections": "…", …},
// "cpe": …}. Any answer at all means the cache is open without SASL.
// When the rules collect `memcached-stats`, the same stats answer is also
// recorded as `collect` evidence with typed values (no extra request).

#include <map>
#include <nlohmann/json.hpp>
#include <memory>
#include <string>

#include "scanner/probes/probe.h"

namespace ciiscope::scanner {

struct MemcachedStats {
  bool complete = false;                     // "END" (or an error line) arrived
  std::map<std::string, std::string> stats;  // at most 128 "STAT name value" lines
  std::string error;                         // "ERROR" / "CLIENT_ERROR …" / "SERVER_ERROR …"
};

// Pure. "VERSION 1.6.18\r\n" → {true, "1.6.18"}; incomplete → {false, ""}.
struct MemcachedVersion {
  bool complete = false;
  bool well_formed = false;
  std::string version;
};
MemcachedVersion ParseMemcachedVersion(std::string_view bytes);
MemcachedStats ParseMemcachedStats(std::string_view bytes);

// Pure: stats as facts — {"version": "1.6.18", "curr_items": 42, …}
// (integers as numbers, values capped), plus "error" when refused.
nlohmann::json MemcachedStatsFacts(const MemcachedStats& stats);

std::unique_ptr<ServiceProbe> MakeMemcachedProbe();

}  // namespace ciiscope::scanner
