#include "scanner/probes/null/null_probe.h"

#include <algorithm>
#include <asio/this_coro.hpp>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "scanner/evidence.h"
#include "scanner/probes/conversation.h"

namespace ciiscope::scanner {
namespace {

// After the first bytes, wait this long for the rest of a multi-part banner.
constexpr std::chrono::milliseconds kIdleAfterData{300};

void RecordBanner(const ProbeContext& ctx, std::string_view bytes, bool truncated, bool timed_out) {
  auto obs = MakeObservation(ctx.target, ctx.port, "banner");
  nlohmann::json data = {
      {"text", core::TruncateUtf8(core::Printable(core::SanitizeUtf8(bytes)), ctx.banner_cap)},
      {"bytes", bytes.size()},
      {"truncated", truncated},
      {"timed_out", timed_out}};
  obs.data_json = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  obs.raw = std::string(bytes);
  ctx.sink->Record(std::move(obs));
}

class NullProbe : public ServiceProbe {
 public:
  std::string_view name() const override { return "null"; }
  std::string_view description() const override {
    return "connects and records what the server says first (banner)";
  }
  const std::vector<uint16_t>& port_hints() const override {
    static const std::vector<uint16_t> kNone;
    return kNone;
  }

  asio::awaitable<ProbeResult> Run(const ProbeContext& ctx) const override {
    ProbeResult result;
    auto now = std::chrono::steady_clock::now();
    auto window_end = std::min(ctx.deadline, now + kNullProbeWindow);
    auto conv = Conversation::Create(co_await asio::this_coro::executor, ctx.stop, window_end);
    if (co_await conv->Connect(ToEndpoint(ctx.target.address, ctx.port))) co_return result;
    result.connected = true;

    std::string bytes(ctx.banner_cap + 1, '\0');
    size_t total = 0;
    while (total < bytes.size()) {
      auto [ec, n] = co_await conv->socket().async_read_some(
          asio::buffer(bytes.data() + total, bytes.size() - total), kUseTuple);
      total += n;
      if (ec) break;
      conv->set_deadline(std::min(window_end, std::chrono::steady_clock::now() + kIdleAfterData));
    }
    bool truncated = total > ctx.banner_cap;
    bytes.resize(std::min(total, ctx.banner_cap));
    conv->Close();
    result.bytes = bytes.size();
    result.first_bytes = bytes.substr(0, 16);
    result.suggests_tls = LooksLikeTls(result.first_bytes);
    result.recognized = !bytes.empty() && !result.suggests_tls;
    if (!bytes.empty()) RecordBanner(ctx, bytes, truncated, false);
    co_return result;
  }
};

}  // namespace

std::unique_ptr<ServiceProbe> MakeNullProbe() { return std::make_unique<NullProbe>(); }

void RecordSilentBanner(const ProbeContext& ctx) { RecordBanner(ctx, "", false, true); }

}  // namespace ciiscope::scanner
