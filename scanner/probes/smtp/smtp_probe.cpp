#include "scanner/probes/smtp/smtp_probe.h"

#include "core/text.h"
#include "scanner/probes/common/dialogue.h"

namespace ciiscope::scanner {
namespace {

constexpr size_t kReplyCap = 8 * 1024;

bool ReplyDone(std::string_view b) { return ParseCodeReply(b).complete; }

class SmtpProbe : public ServiceProbe {
 public:
  std::string_view name() const override { return "smtp"; }
  std::string_view description() const override {
    return "reads the SMTP greeting and the EHLO capabilities (no mail, no AUTH)";
  }
  const std::vector<uint16_t>& port_hints() const override {
    static const std::vector<uint16_t> kPorts = {25, 587};
    return kPorts;
  }

  asio::awaitable<ProbeResult> Run(const ProbeContext& ctx) const override {
    ProbeResult result;
    auto conv = co_await ConnectForGreeting(ctx);
    if (!conv) co_return result;
    result.connected = true;
    std::string greeting_bytes;
    ReadOutcome out = co_await ReadReply(*conv, &greeting_bytes, ctx.banner_cap, ReplyDone);
    NoteFirstBytes(greeting_bytes, &result);
    CodeReply greeting = ParseCodeReply(greeting_bytes);
    std::string lower = core::ToLower(JoinedText(greeting));
    if (greeting.complete && lower.find("ftp") != std::string::npos &&
        lower.find("smtp") == std::string::npos) {
      conv->Close();  // an FTP server: the ftp probe speaks to it
      co_return result;
    }
    nlohmann::json data = {{"code", greeting.code},
                           {"greeting", EvidenceText(JoinedText(greeting))},
                           {"timed_out", out.timed_out},
                           {"truncated", out.truncated}};
    std::string raw = greeting_bytes;
    result.recognized = greeting.complete;
    if (greeting.complete && greeting.code == 220) {
      conv->set_deadline(ctx.deadline);
      std::string ehlo_bytes;
      if (co_await SendBytes(*conv, "EHLO ciiscope.invalid\r\n")) {
        co_await ReadReply(*conv, &ehlo_bytes, kReplyCap, ReplyDone);
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
      co_await SendBytes(*conv, "QUIT\r\n");
      raw += ehlo_bytes;
    }
    conv->Close();
    if (greeting_bytes.empty()) co_return result;
    RecordGreetingBanner(ctx, greeting_bytes, out.truncated);
    if (!greeting.complete) data["error"] = "no complete SMTP reply";
    RecordProbe(ctx, "smtp-ehlo", std::move(data), std::move(raw));
    co_return result;
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
