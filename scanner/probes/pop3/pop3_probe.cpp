#include "scanner/probes/pop3/pop3_probe.h"

#include "core/text.h"
#include "scanner/probes/common/code_reply.h"
#include "scanner/probes/common/greeting_probe.h"

namespace ciiscope::scanner {
namespace {

constexpr size_t kReplyCap = 8 * 1024;

class Pop3Probe : public GreetingProbe {
 public:
  Pop3Probe() : GreetingProbe("pop3", "reads the POP3 greeting and CAPA (no login)", {110}) {}

 protected:
  bool FirstReplyComplete(std::string_view b) const override {
    return ParsePop3Reply(b, false).complete;
  }

  asio::awaitable<void> Continue(const ProbeContext& ctx, Conversation& conv, FirstReply& first,
                                 ProbeResult* result) const override {
    const std::string& greeting_bytes = first.bytes;
    const ReadOutcome& out = first.outcome;
    Pop3Reply greeting = ParsePop3Reply(greeting_bytes, false);
    result->recognized = greeting.complete && greeting.well_formed;
    nlohmann::json data = {{"ok", greeting.ok},
                           {"greeting", EvidenceText(greeting.status_text)},
                           {"timed_out", out.timed_out},
                           {"truncated", out.truncated}};
    std::string raw = greeting_bytes;
    if (greeting.complete && greeting.ok) {
      conv.set_deadline(ctx.deadline);
      std::string capa_bytes;
      if (co_await SendBytes(conv, "CAPA\r\n")) {
        co_await ReadReply(conv, &capa_bytes, kReplyCap, [](std::string_view b) {
          return ParsePop3Reply(b, true).complete;
        });
      }
      Pop3Reply capa = ParsePop3Reply(capa_bytes, true);
      nlohmann::json caps = nlohmann::json::array();
      bool stls = false;
      if (capa.complete && capa.ok) {
        for (const auto& c : capa.lines) {
          if (caps.size() >= 64) break;
          if (core::ToLower(c) == "stls") stls = true;
          caps.push_back(EvidenceText(c, 256));
        }
      }
      data["capabilities"] = std::move(caps);
      data["stls"] = stls;
      co_await SendBytes(conv, "QUIT\r\n");
      raw += capa_bytes;
    }
    if (greeting_bytes.empty()) co_return;
    RecordGreetingBanner(ctx, greeting_bytes, out.truncated);
    if (!result->recognized) data["error"] = "no POP3 status line";
    RecordProbe(ctx, "pop3-greeting", std::move(data), std::move(raw));
  }
};

}  // namespace

Pop3Reply ParsePop3Reply(std::string_view bytes, bool multiline) {
  Pop3Reply reply;
  std::vector<std::string_view> lines = CompleteLines(bytes);
  if (lines.empty()) return reply;
  std::string_view first = lines[0];
  reply.ok = first.starts_with("+OK");
  reply.well_formed = reply.ok || first.starts_with("-ERR");
  size_t skip = reply.ok ? 3 : (reply.well_formed ? 4 : 0);
  reply.status_text = std::string(core::TrimSpace(first.substr(skip)));
  if (!multiline || !reply.ok) {
    reply.complete = true;
    return reply;
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (line == ".") {
      reply.complete = true;
      return reply;
    }
    if (line.starts_with("..")) line.remove_prefix(1);
    reply.lines.emplace_back(line);
  }
  return reply;
}

std::unique_ptr<ServiceProbe> MakePop3Probe() { return std::make_unique<Pop3Probe>(); }

}  // namespace ciiscope::scanner
