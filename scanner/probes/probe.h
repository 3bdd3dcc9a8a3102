#pragma once
// Service probes: one conversation with one open TCP service, producing
// evidence. A probe is a plug-in (STYLE.md habit 3) living in its own folder
// (habit 4): scanner/probes/<name>/ with a header, an implementation and a
// CMakeLists.txt; it is listed once in RegisterBuiltinProbes().
//
// Probes are coroutines on standalone Asio with an absolute deadline and byte
// caps. Nothing a server does is an error: silence, resets, garbage and
// floods become evidence flags (timed_out, truncated, error).

#include <asio/awaitable.hpp>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/model/observation.h"
#include "scanner/collect_plan.h"
#include "scanner/targets.h"

namespace ciiscope::scanner {

// Everything a probe needs for one service. Owned by the caller and alive
// until the probe's awaitable completes.
struct ProbeContext {
  Target target;
  uint16_t port = 0;
  // Absolute end of the whole service conversation (all probes of a port).
  std::chrono::steady_clock::time_point deadline;
  size_t banner_cap = 16 * 1024;
  size_t body_cap = 64 * 1024;
  const std::atomic<bool>* stop = nullptr;  // never null when a probe runs
  inventory::EvidenceSink* sink = nullptr;  // never null when a probe runs
  // Paths the http/tls probes fetch after "/" (may be null: none). Their
  // collection has its own budget (plan.total_timeout) after ctx.deadline.
  const HttpCollectPlan* http_collect = nullptr;
};

// What a probe learned, used to choose the next probe.
struct ProbeResult {
  bool connected = false;   // its connection was established
  bool recognized = false;  // the server spoke the probe's protocol
  size_t bytes = 0;         // bytes received
  std::string first_bytes;  // the first (up to 16) bytes received
  bool suggests_tls = false;  // the answer was a TLS record/alert or "HTTP sent to an HTTPS port"
};

// Contract: Run opens its own connection to ctx.target.address:ctx.port on
// the calling coroutine's executor, which must serialize its handlers (a
// strand or a one-thread io_context); it finishes by ctx.deadline (plus
// ~100 ms) or within ~100 ms of *ctx.stop becoming true, records
// observations with ctx.sink->Record() as it makes them, and never throws.
// Probes are stateless: one instance serves all concurrent conversations.
class ServiceProbe {
 public:
  virtual ~ServiceProbe() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view description() const = 0;
  // Ports where this probe is tried first (an empty list: only by fallback).
  virtual const std::vector<uint16_t>& port_hints() const = 0;
  virtual asio::awaitable<ProbeResult> Run(const ProbeContext& ctx) const = 0;
};

class ProbeRegistry {
 public:
  // A later probe with the same name replaces the earlier one.
  void Register(std::unique_ptr<ServiceProbe> probe);
  const ServiceProbe* Find(std::string_view name) const;
  // Registration order.
  std::vector<const ServiceProbe*> All() const;
  std::vector<std::string> Names() const;

 private:
  std::vector<std::unique_ptr<ServiceProbe>> probes_;
};

// Registers "null", "http", "tls", "redis", "ssh", "ftp", "smtp", "pop3",
// "imap", "mysql", "postgres", "mongodb", "memcached", "telnet", "ldap", "rdp",
// "smb", "dns" (TCP).
void RegisterBuiltinProbes(ProbeRegistry& registry);

// True when bytes start like a TLS handshake record or alert (0x16/0x15 0x03).
bool LooksLikeTls(std::string_view first_bytes);

// Runs the probes for one open port: those hinted for the port first; if none
// recognized the service, the NULL probe and the probes its first bytes point
// to (ProbesForFirstBytes), then HTTP when the server stayed silent, then TLS
// when any answer looked like TLS. Same contract as Run.
asio::awaitable<void> ProbeService(const ProbeRegistry& registry, const ProbeContext& ctx);

}  // namespace ciiscope::scanner
