#include "scanner/probes/imap/imap_probe.h"

#include "core/text.h"
#include "scanner/probes/common/code_reply.h"
#include "scanner/probes/common/greeting_probe.h"

namespace ciiscope::scanner {
namespace {

constexpr size_t kReplyCap = 8 * 1024;
constexpr size_t kMaxCapabilities = 128;

void AddCapabilities(std::string_view words, std::vector<std::string>* out) {
  while (!words.empty() && out->size() < kMaxCapabilities) {
    size_t sp = words.find(' ');
    std::string_view w = words.substr(0, sp);
    if (!w.empty()) out->emplace_back(w);
    if (sp == std::string_view::npos) break;
    words.remove_prefix(sp + 1);
  }
}

// "STATUS text" → status and text; "[CAPABILITY …]" in the text is collected.
void SplitStatus(std::string_view rest, ImapReply* reply) {
  size_t sp = rest.find(' ');
  reply->status = std::string(rest.substr(0, sp));
  reply->text = sp == std::string_view::npos ? "" : std::string(rest.substr(sp + 1));
  std::string_view text = reply->text;
  if (text.starts_with("[CAPABILITY ")) {
    size_t end = text.find(']');
    AddCapabilities(text.substr(12, end == std::string_view::npos ? std::string_view::npos : end - 12),
                    &reply->capabilities);
  }
}

class ImapProbe : public GreetingProbe {
 public:
  ImapProbe()
      : GreetingProbe("imap", "reads the IMAP greeting and CAPABILITY (no login)", {143}) {}

 protected:
  bool FirstReplyComplete(std::string_view b) const override {
    return ParseImapReply(b, "").complete;
  }

  asio::awaitable<void> Continue(const ProbeContext& ctx, Conversation& conv, FirstReply& first,
                                 ProbeResult* result) const override {
    const std::string& greeting_bytes = first.bytes;
    const ReadOutcome& out = first.outcome;
    ImapReply greeting = ParseImapReply(greeting_bytes, "");
    result->recognized = greeting.complete && !greeting.status.empty();
    nlohmann::json data = {{"status", EvidenceText(greeting.status, 64)},
                           {"greeting", EvidenceText(greeting.text)},
                           {"timed_out", out.timed_out},
                           {"truncated", out.truncated}};
    std::vector<std::string> caps = greeting.capabilities;
    std::string raw = greeting_bytes;
    if (result->recognized && greeting.status != "BYE") {
      conv.set_deadline(ctx.deadline);
      std::string cap_bytes;
      if (co_await SendBytes(conv, "a1 CAPABILITY\r\n")) {
        co_await ReadReply(conv, &cap_bytes, kReplyCap,
                           [](std::string_view b) { return ParseImapReply(b, "a1").complete; });
      }
      ImapReply cap = ParseImapReply(cap_bytes, "a1");
      if (cap.complete && cap.status == "OK" && !cap.capabilities.empty()) caps = cap.capabilities;
      co_await SendBytes(conv, "a2 LOGOUT\r\n");
      raw += cap_bytes;
    }
    if (greeting_bytes.empty()) co_return;
    RecordGreetingBanner(ctx, greeting_bytes, out.truncated);
    nlohmann::json jcaps = nlohmann::json::array();
    bool starttls = false;
    for (const auto& c : caps) {
      if (core::ToLower(c) == "starttls") starttls = true;
      jcaps.push_back(EvidenceText(c, 128));
    }
    data["capabilities"] = std::move(jcaps);
    data["starttls"] = starttls;
    if (!result->recognized) data["error"] = "no IMAP greeting";
    RecordProbe(ctx, "imap-greeting", std::move(data), std::move(raw));
  }
};

}  // namespace

ImapReply ParseImapReply(std::string_view bytes, std::string_view tag) {
  ImapReply reply;
  for (std::string_view line : CompleteLines(bytes)) {
    if (tag.empty()) {
      if (line.starts_with("* ")) SplitStatus(line.substr(2), &reply);
      reply.complete = true;
      return reply;
    }
    if (line.starts_with("* CAPABILITY ")) {
      AddCapabilities(line.substr(13), &reply.capabilities);
    } else if (line.size() > tag.size() && line.starts_with(tag) && line[tag.size()] == ' ') {
      std::vector<std::string> caps = std::move(reply.capabilities);
      reply.capabilities.clear();
      SplitStatus(line.substr(tag.size() + 1), &reply);
      if (caps.size() > 0) reply.capabilities = std::move(caps);
      reply.complete = true;
      return reply;
    }
  }
  return reply;
}

std::unique_ptr<ServiceProbe> MakeImapProbe() { return std::make_unique<ImapProbe>(); }

}  // namespace ciiscope::scanner
