// Probe choice for one open port (see ProbeService in probe.h).
#include <algorithm>
#include <set>

#include "scanner/probes/common/first_bytes.h"
#include "scanner/probes/null/null_probe.h"
#include "scanner/probes/probe.h"

namespace ciiscope::scanner {
namespace {

bool OutOfTime(const ProbeContext& ctx) {
  return ctx.stop->load(std::memory_order_relaxed) ||
         std::chrono::steady_clock::now() >= ctx.deadline;
}

// Forwards everything but `banner` evidence: a probe chosen from a banner
// must not record that banner a second time.
class WithoutBanners : public inventory::EvidenceSink {
 public:
  explicit WithoutBanners(inventory::EvidenceSink* sink) : sink_(sink) {}
  void Record(inventory::Observation obs) override {
    if (obs.kind != "banner") sink_->Record(std::move(obs));
  }
  void Flush() override { sink_->Flush(); }

 private:
  inventory::EvidenceSink* sink_;
};

struct ChainState {
  std::set<std::string_view> ran;
  bool recognized = false;
  bool tls_suggested = false;
};

asio::awaitable<ProbeResult> RunOne(const ServiceProbe* probe, const ProbeContext& ctx,
                                    ChainState& state) {
  state.ran.insert(probe->name());
  ProbeResult r = co_await probe->Run(ctx);
  state.recognized = state.recognized || r.recognized;
  state.tls_suggested = state.tls_suggested || r.suggests_tls;
  co_return r;
}

}  // namespace

asio::awaitable<void> ProbeService(const ProbeRegistry& registry, const ProbeContext& ctx) {
  ChainState state;

  for (const ServiceProbe* probe : registry.All()) {
    const auto& hints = probe->port_hints();
    if (std::find(hints.begin(), hints.end(), ctx.port) == hints.end()) continue;
    if (OutOfTime(ctx)) co_return;
    ProbeResult r = co_await RunOne(probe, ctx, state);
    if (!r.connected) co_return;  // the port stopped answering
  }
  if (state.recognized) co_return;

  const ServiceProbe* null_probe = registry.Find("null");
  const ServiceProbe* http_probe = registry.Find("http");
  const ServiceProbe* tls_probe = registry.Find("tls");
  bool silent = false;
  if (null_probe != nullptr && !state.ran.contains("null") && !OutOfTime(ctx)) {
    ProbeResult r = co_await RunOne(null_probe, ctx, state);
    if (!r.connected) co_return;
    silent = r.bytes == 0;
    // A server that spoke first on an unusual port: the banner names the protocol.
    WithoutBanners no_banners(ctx.sink);
    ProbeContext by_banner = ctx;
    by_banner.sink = &no_banners;
    for (std::string_view name : ProbesForFirstBytes(r.first_bytes)) {
      const ServiceProbe* probe = registry.Find(name);
      if (probe == nullptr || state.ran.contains(name) || OutOfTime(ctx)) continue;
      ProbeResult pr = co_await RunOne(probe, by_banner, state);
      if (!pr.connected || pr.recognized) break;
    }
  }
  if (silent && http_probe != nullptr && !state.ran.contains("http") && !OutOfTime(ctx)) {
    ProbeResult r = co_await RunOne(http_probe, ctx, state);
    if (r.bytes > 0) silent = false;
  }
  // OpenSSL-based servers close on a plain request without an alert, so a
  // service that stayed silent for both probes gets a TLS handshake too.
  if ((state.tls_suggested || silent) && tls_probe != nullptr && !state.ran.contains("tls") && !OutOfTime(ctx)) {
    ProbeResult r = co_await RunOne(tls_probe, ctx, state);
    if (r.recognized) silent = false;
  }
  if (silent && !state.recognized && !ctx.stop->load(std::memory_order_relaxed)) {
    RecordSilentBanner(ctx);
  }
}

}  // namespace ciiscope::scanner
