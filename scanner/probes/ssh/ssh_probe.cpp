#include "scanner/probes/ssh/ssh_probe.h"

#include "scanner/probes/common/code_reply.h"
#include "scanner/probes/common/greeting_probe.h"
#include "scanner/probes/common/product_version.h"

namespace ciiscope::scanner {
namespace {

constexpr size_t kMaxPreambleLines = 16;
constexpr size_t kMaxIdLine = 255;

class SshProbe : public GreetingProbe {
 public:
  SshProbe()
      : GreetingProbe("ssh",
                      "reads the SSH identification string (product, version, distribution)",
                      {22}) {}

 protected:
  bool FirstReplyComplete(std::string_view b) const override {
    return ParseSshBanner(b).complete;
  }

  asio::awaitable<void> Continue(const ProbeContext& ctx, Conversation& conv, FirstReply& first,
                                 ProbeResult* result) const override {
    std::string& bytes = first.bytes;
    const ReadOutcome& out = first.outcome;
    SshBanner banner = ParseSshBanner(bytes);
    if (banner.complete) co_await SendBytes(conv, "SSH-2.0-ciiscope\r\n");
    result->recognized = banner.complete;
    if (bytes.empty()) co_return;
    RecordGreetingBanner(ctx, bytes, out.truncated);
    nlohmann::json data = {{"truncated", out.truncated}, {"timed_out", out.timed_out}};
    if (banner.complete) {
      ProductVersion pv = NormalizeSshSoftware(banner.software, banner.comment);
      data["proto"] = EvidenceText(banner.proto, 64);
      data["software"] = EvidenceText(banner.software, 256);
      data["comment"] = EvidenceText(banner.comment, 256);
      data["product"] = EvidenceText(pv.product, 256);
      data["version"] = EvidenceText(pv.version, 256);
      data["distro"] = EvidenceText(pv.distro, 256);
      data["cpe"] = EvidenceText(pv.cpe, 512);
      nlohmann::json pre = nlohmann::json::array();
      for (const auto& line : banner.preamble) pre.push_back(EvidenceText(line, 256));
      data["preamble"] = std::move(pre);
    } else {
      data["error"] = "no SSH identification string";
      data["text"] = EvidenceText(bytes, 1024);
    }
    RecordProbe(ctx, "ssh-banner", std::move(data), std::move(bytes));
  }
};

}  // namespace

SshBanner ParseSshBanner(std::string_view bytes) {
  SshBanner banner;
  for (std::string_view line : CompleteLines(bytes)) {
    if (!line.starts_with("SSH-")) {
      if (banner.preamble.size() < kMaxPreambleLines) banner.preamble.emplace_back(line);
      continue;
    }
    line = line.substr(0, kMaxIdLine);
    std::string_view rest = line.substr(4);
    size_t dash = rest.find('-');
    banner.proto = std::string(rest.substr(0, dash));
    if (dash != std::string_view::npos) {
      std::string_view sw = rest.substr(dash + 1);
      size_t space = sw.find(' ');
      banner.software = std::string(sw.substr(0, space));
      if (space != std::string_view::npos) banner.comment = std::string(sw.substr(space + 1));
    }
    banner.complete = true;
    return banner;
  }
  return banner;
}

std::unique_ptr<ServiceProbe> MakeSshProbe() { return std::make_unique<SshProbe>(); }

}  // namespace ciiscope::scanner
