#include "scanner/probes/ssh/ssh_probe.h"

#include "scanner/probes/common/code_reply.h"
#include "scanner/probes/common/dialogue.h"
#include "scanner/probes/common/product_version.h"

namespace ciiscope::scanner {
namespace {

constexpr size_t kMaxPreambleLines = 16;
constexpr size_t kMaxIdLine = 255;

class SshProbe : public ServiceProbe {
 public:
  std::string_view name() const override { return "ssh"; }
  std::string_view description() const override {
    return "reads the SSH identification string (product, version, distribution)";
  }
  const std::vector<uint16_t>& port_hints() const override {
    static const std::vector<uint16_t> kPorts = {22};
    return kPorts;
  }

  asio::awaitable<ProbeResult> Run(const ProbeContext& ctx) const override {
    ProbeResult result;
    auto conv = co_await ConnectForGreeting(ctx);
    if (!conv) co_return result;
    result.connected = true;
    std::string bytes;
    ReadOutcome out = co_await ReadReply(*conv, &bytes, ctx.banner_cap, [](std::string_view b) {
      return ParseSshBanner(b).complete;
    });
    SshBanner banner = ParseSshBanner(bytes);
    if (banner.complete) co_await SendBytes(*conv, "SSH-2.0-ciiscope\r\n");
    conv->Close();
    NoteFirstBytes(bytes, &result);
    result.recognized = banner.complete;
    if (bytes.empty()) co_return result;
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
    co_return result;
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
