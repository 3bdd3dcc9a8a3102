#pragma once
// Redis probe: sends "INFO server" (read-only, nothing else) → `probe`
// evidence {"probe": "redis-info", "text": …}. An unauthenticated server
// answers with its version and OS; a protected one with "-NOAUTH …".
// When the rules collect `redis-info`, the probe then sends "INFO" (default
// sections) on the same connection → `collect` evidence with the parsed
// fields (ParseRedisInfo).

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "scanner/probes/probe.h"

namespace ciiscope::scanner {

struct RedisReply {
  bool complete = false;  // a whole RESP reply is in the bytes
  bool is_resp = false;   // the bytes start like a RESP reply
  std::string text;       // bulk string content, or the whole line for +/-/: replies
};

// Pure: interprets the bytes received so far.
RedisReply ParseRedisReply(std::string_view bytes);

// Pure: INFO text → {"redis_version": "7.0.15", "connected_clients": 3, …,
// "keyspace": {"db0": {"keys": 3, "expires": 0, "avg_ttl": 0}},
// "keys_total": 3}. Integers become numbers; at most 256 fields (64 keyspace
// databases), keys of at most 64 bytes, values capped at 256 bytes.
nlohmann::json ParseRedisInfo(std::string_view text);

// Pure: the facts of the bytes answering INFO: ParseRedisInfo of a bulk
// reply (a partial one when truncated), {"error": "NOAUTH …",
// "auth_required": true} for an error reply, {"error": …} for anything
// else; always with "truncated" and "timed_out".
nlohmann::json RedisInfoFacts(std::string_view bytes, bool truncated, bool timed_out);

std::unique_ptr<ServiceProbe> MakeRedisProbe();

}  // namespace ciiscope::scanner
