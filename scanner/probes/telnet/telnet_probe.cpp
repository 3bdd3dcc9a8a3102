#include "scanner/probes/telnet/telnet_probe.h"

#include <algorithm>

#include "scanner/probes/common/dialogue.h"
#include "scanner/probes/telnet/telnet_parser.h"

namespace ciiscope::scanner {
namespace {

// After data, wait this long for more (negotiation comes in rounds).
constexpr std::chrono::milliseconds kIdleAfterData{500};

class TelnetProbe : public ServiceProbe {
 public:
  std::string_view name() const override { return "telnet"; }
  std::string_view description() const override {
    return "refuses option negotiation and records the login text (never logs in)";
  }
  const std::vector<uint16_t>& port_hints() const override {
    static const std::vector<uint16_t> kPorts = {23, 2323};
    return kPorts;
  }

  asio::awaitable<ProbeResult> Run(const ProbeContext& ctx) const override {
    ProbeResult result;
    auto conv = co_await ConnectForGreeting(ctx);
    if (!conv) co_return result;
    result.connected = true;
    const SteadyTime end = std::min(ctx.deadline, conv->deadline() + std::chrono::seconds(1));
    TelnetParser parser(ctx.banner_cap);
    std::string raw;
    bool truncated = false;
    char buf[4096];
    // Bounded by the byte cap and the deadline; each pass reads or ends.
    while (raw.size() < ctx.banner_cap) {
      size_t want = std::min(sizeof(buf), ctx.banner_cap - raw.size());
      auto [ec, n] = co_await conv->socket().async_read_some(asio::buffer(buf, want), kUseTuple);
      raw.append(buf, n);
      parser.Feed(std::string_view(buf, n));
      if (ec) break;
      std::string replies = parser.TakeReplies();
      if (!replies.empty() && !co_await SendBytes(*conv, replies)) break;
      conv->set_deadline(std::min(end, std::chrono::steady_clock::now() + kIdleAfterData));
    }
    truncated = raw.size() >= ctx.banner_cap || parser.truncated();
    bool timed_out = raw.empty() && conv->expired();
    conv->Close();
    NoteFirstBytes(raw, &result);
    bool negotiated = !parser.negotiation().empty();
    result.recognized = negotiated;
    if (raw.empty()) co_return result;
    RecordGreetingBanner(ctx, raw, truncated);
    nlohmann::json neg = nlohmann::json::array();
    for (const auto& n : parser.negotiation()) neg.push_back(n);
    nlohmann::json data = {{"text", EvidenceText(parser.text(), ctx.banner_cap)},
                           {"negotiation", std::move(neg)},
                           {"truncated", truncated},
                           {"timed_out", timed_out}};
    RecordProbe(ctx, "telnet-banner", std::move(data), std::move(raw));
    co_return result;
  }
};

}  // namespace

std::unique_ptr<ServiceProbe> MakeTelnetProbe() { return std::make_unique<TelnetProbe>(); }

}  // namespace ciiscope::scanner
