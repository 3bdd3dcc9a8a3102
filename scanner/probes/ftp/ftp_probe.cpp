#include "scanner/probes/ftp/ftp_probe.h"

#include "core/text.h"
#include "scanner/probes/common/greeting_probe.h"

namespace ciiscope::scanner {
namespace {

constexpr size_t kReplyCap = 8 * 1024;

bool ReplyDone(std::string_view b) { return ParseCodeReply(b).complete; }

class FtpProbe : public GreetingProbe {
 public:
  FtpProbe()
      : GreetingProbe("ftp", "reads the FTP greeting, sends FEAT and SYST (no login)", {21}) {}

 protected:
  bool FirstReplyComplete(std::string_view b) const override { return ReplyDone(b); }

  asio::awaitable<void> Continue(const ProbeContext& ctx, Conversation& conv, FirstReply& first,
                                 ProbeResult* result) const override {
    const std::string& greeting_bytes = first.bytes;
    const ReadOutcome& out = first.outcome;
    CodeReply greeting = ParseCodeReply(greeting_bytes);
    std::string lower = core::ToLower(JoinedText(greeting));
    if (greeting.complete && lower.find("smtp") != std::string::npos) {
      co_return;  // an SMTP server: the smtp probe speaks to it
    }
    nlohmann::json data = {{"code", greeting.code},
                           {"greeting", EvidenceText(JoinedText(greeting))},
                           {"timed_out", out.timed_out},
                           {"truncated", out.truncated}};
    std::string raw = greeting_bytes;
    result->recognized = greeting.complete;
    if (greeting.complete && greeting.code == 220) {
      conv.set_deadline(ctx.deadline);
      std::string feat_bytes;
      if (co_await SendBytes(conv, "FEAT\r\n")) {
        co_await ReadReply(conv, &feat_bytes, kReplyCap, ReplyDone);
      }
      CodeReply feat = ParseCodeReply(feat_bytes);
      nlohmann::json features = nlohmann::json::array();
      bool auth_tls = false;
      if (feat.complete && feat.code == 211) {
        for (const auto& f : FtpFeatures(feat)) {
          if (core::ToLower(f).starts_with("auth tls") || core::ToLower(f) == "auth ssl") {
            auth_tls = true;
          }
          features.push_back(EvidenceText(f, 256));
        }
      }
      data["features"] = std::move(features);
      data["auth_tls"] = auth_tls;
      std::string syst_bytes;
      if (co_await SendBytes(conv, "SYST\r\n")) {
        co_await ReadReply(conv, &syst_bytes, kReplyCap, ReplyDone);
      }
      CodeReply syst = ParseCodeReply(syst_bytes);
      if (syst.complete && syst.code == 215) data["syst"] = EvidenceText(JoinedText(syst), 256);
      co_await SendBytes(conv, "QUIT\r\n");
      raw += feat_bytes;
      raw += syst_bytes;
    }
    if (greeting_bytes.empty()) co_return;
    RecordGreetingBanner(ctx, greeting_bytes, out.truncated);
    if (!greeting.complete) data["error"] = "no complete FTP reply";
    RecordProbe(ctx, "ftp-greeting", std::move(data), std::move(raw));
  }
};

}  // namespace

std::vector<std::string> FtpFeatures(const CodeReply& feat) {
  std::vector<std::string> out;
  for (size_t i = 1; i + 1 < feat.lines.size(); ++i) {
    std::string_view f = core::TrimSpace(feat.lines[i]);
    if (!f.empty() && out.size() < 64) out.emplace_back(f);
  }
  return out;
}

std::unique_ptr<ServiceProbe> MakeFtpProbe() { return std::make_unique<FtpProbe>(); }

}  // namespace ciiscope::scanner
