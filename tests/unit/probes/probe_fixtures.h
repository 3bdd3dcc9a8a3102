#pragma once
// Test helpers shared by the probe tests: a probe context for a loopback
// port, and a MongoDB OP_MSG reply around a BSON document.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "scanner/probes/probe.h"
#include "test_sink.h"

namespace ciiscope::scanner {

// 127.0.0.1:port, no host name, a 4 s deadline.
inline ProbeContext LoopbackProbeContext(uint16_t port, testing::MemorySink& sink,
                                         const std::atomic<bool>& stop) {
  ProbeContext ctx;
  ctx.target = Target{*core::IpAddress::Parse("127.0.0.1"), ""};
  ctx.port = port;
  ctx.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(4);
  ctx.stop = &stop;
  ctx.sink = &sink;
  return ctx;
}

// An OP_MSG reply (opcode 2013, one body section) holding `doc`.
inline std::string MongoReplyMsg(const std::string& doc) {
  std::string m;
  auto put = [&](uint32_t v) {
    for (int i = 0; i < 4; ++i) m.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  put(static_cast<uint32_t>(21 + doc.size()));
  put(7);
  put(1);
  put(2013);
  put(0);
  m.push_back('\0');
  return m + doc;
}

}  // namespace ciiscope::scanner
