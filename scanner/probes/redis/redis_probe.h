#pragma once
// Redis probe: sends "INFO server" (read-only, nothing else) → `probe`
// evidence {"probe": "redis-info", "text": …}. An unauthenticated server
// answers with its version and OS; a protected one with "-NOAUTH …".

#include <memory>
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

std::unique_ptr<ServiceProbe> MakeRedisProbe();

}  // namespace ciiscope::scanner
