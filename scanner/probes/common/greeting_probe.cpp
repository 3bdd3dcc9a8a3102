#include "scanner/probes/common/greeting_probe.h"

namespace ciiscope::scanner {

asio::awaitable<ProbeResult> GreetingProbe::Run(const ProbeContext& ctx) const {
  ProbeResult result;
  auto conv = co_await ConnectForGreeting(ctx);
  if (!conv) co_return result;
  result.connected = true;
  FirstReply first;
  std::string opening = Opening();
  if (opening.empty() || co_await SendBytes(*conv, opening)) {
    first.outcome = co_await ReadReply(*conv, &first.bytes, FirstReplyCap(ctx),
                                       [this](std::string_view b) { return FirstReplyComplete(b); });
  }
  NoteFirstBytes(first.bytes, &result);
  co_await Continue(ctx, *conv, first, &result);
  conv->Close();
  co_return result;
}

}  // namespace ciiscope::scanner
