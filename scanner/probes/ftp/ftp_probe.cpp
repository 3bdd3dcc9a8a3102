#include "scanner/probes/ftp/ftp_probe.h"

#include "core/text.h"
#include "scanner/probes/common/dialogue.h"

namespace ciiscope::scanner {
namespace {

constexpr size_t kReplyCap = 8 * 1024;

bool ReplyDone(std::string_view b) { return ParseCodeReply(b).complete; }

class FtpProbe : public ServiceProbe {
 public:
  std::string_view name() const override { return "ftp"; }
  std::string_view description() const override {
    return "reads the FTP greeting, sends FEAT and SYST (no login)";
  }
  const std::vector<uint16_t>& port_hints() const override {
    static const std::vector<uint16_t> kPorts = {21};
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
    if (greeting.complete && lower.find("smtp") != std::string::npos) {
      conv->Close();  // an SMTP server: the smtp probe speaks to it
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
      std::string feat_bytes;
      if (co_await SendBytes(*conv, "FEAT\r\n")) {
        co_await ReadReply(*conv, &feat_bytes, kReplyCap, ReplyDone);
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
      if (co_await SendBytes(*conv, "SYST\r\n")) {
        co_await ReadReply(*conv, &syst_bytes, kReplyCap, ReplyDone);
      }
      CodeReply syst = ParseCodeReply(syst_bytes);
      if (syst.complete && syst.code == 215) data["syst"] = EvidenceText(JoinedText(syst), 256);
      co_await SendBytes(*conv, "QUIT\r\n");
      raw += feat_bytes;
      raw += syst_bytes;
    }
    conv->Close();
    if (greeting_bytes.empty()) co_return result;
    RecordGreetingBanner(ctx, greeting_bytes, out.truncated);
    if (!greeting.complete) data["error"] = "no complete FTP reply";
    RecordProbe(ctx, "ftp-greeting", std::move(data), std::move(raw));
    co_return result;
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
