#include "scanner/probes/smtp/smtp_probe.h"

#include "core/text.h"
#include "scanner/probes/common/greeting_probe.h"

namespace ciiscope::scanner {
namespace {

constexpr size_t kReplyCap = 8 * 1024;

bool ReplyDone(std::string_view b) { return ParseCodeReply(b).complete; }

class SmtpProbe : public GreetingProbe {
 public:
  SmtpProbe()
      : GreetingProbe("smtp",
                      "reads the SMTP greeting and the EHLO capabilities (no mail, no AUTH)",
                      {25, 587}) {}

 protected:
  bool FirstReplyComplete(std::string_view b) const override { return ReplyDone(b); }

  asio::awaitable<void> Continue(const ProbeContext& ctx, Conversation& conv, FirstReply& first,
                                 ProbeResult* result) const override {
    const std::string& greeting_bytes = first.bytes;
    const ReadOutcome& out = first.outcome;
    CodeReply greeting = ParseCodeReply(greeting_bytes);
    std::string lower = core::ToLower(JoinedText(greeting));
    if (greeting.complete && lower.find("ftp") != std::string::npos &&
        lower.find("smtp") == std::string::npos) {
      co_return;  // an FTP server: the ftp probe speaks to it
    }
    nlohmann::json data = {{"code", greeting.code},
                           {"greeting", EvidenceText(JoinedText(greeting))},
                           {"timed_out", out.timed_out},
                           {"truncated", out.truncated}};
    std::string raw = greeting_bytes;
    result->recognized = greeting.complete;
    if (greeting.complete && greeting.code == 220) {
      conv.set_deadline(ctx.deadline);
      std::string ehlo_bytes;
      if (co_await SendBytes(conv, "EHLO ciiscope.invalid\r\n")) {
        co_await ReadReply(conv, &ehlo_bytes, kReplyCap, ReplyDone);
      }
      CodeReply ehlo = ParseCodeReply(ehlo_bytes);
      nlohmann::json caps = nlohmann::json::array();
      nlohmann::json auth = nlohmann::json::array();
      bool starttls = false;
      if (ehlo.complete) {
        data["ehlo_code"] = ehlo.code;
        if (ehlo.code == 250) {
          for (const auto& c : SmtpCapabilities(ehlo)) {
            std::string upper = c;
            for (char& ch : upper) ch = (ch >= 'a' && ch <= 'z') ? static_cast<char>(ch - 32) : ch;
            if (upper == "STARTTLS") starttls = true;
            if (upper.starts_with("AUTH ") || upper.starts_with("AUTH=")) {
              std::string_view mechs = std::string_view(upper).substr(5);
              while (!mechs.empty()) {
                size_t sp = mechs.find(' ');
                std::string_view m = mechs.substr(0, sp);
                if (!m.empty() && auth.size() < 32) auth.push_back(std::string(m));
                if (sp == std::string_view::npos) break;
                mechs.remove_prefix(sp + 1);
              }
            }
            caps.push_back(EvidenceText(c, 256));
          }
        }
      }
      data["capabilities"] = std::move(caps);
      data["starttls"] = starttls;
      data["auth"] = std::move(auth);
      co_await SendBytes(conv, "QUIT\r\n");
      raw += ehlo_bytes;
    }
    if (greeting_bytes.empty()) co_return;
    RecordGreetingBanner(ctx, greeting_bytes, out.truncated);
    if (!greeting.complete) data["error"] = "no complete SMTP reply";
    RecordProbe(ctx, "smtp-ehlo", std::move(data), std::move(raw));
  }
};

}  // namespace

std::vector<std::string> SmtpCapabilities(const CodeReply& ehlo) {
  std::vector<std::string> out;
  for (size_t i = 1; i < ehlo.lines.size() && out.size() < 64; ++i) {
    std::string_view c = core::TrimSpace(ehlo.lines[i]);
    if (!c.empty()) out.emplace_back(c);
  }
  return out;
}

std::unique_ptr<ServiceProbe> MakeSmtpProbe() { return std::make_unique<SmtpProbe>(); }

}  // namespace ciiscope::scanner
