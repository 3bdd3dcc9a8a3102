#include "scanner/probes/memcached/memcached_probe.h"

#include <asio/this_coro.hpp>

#include "scanner/probes/common/code_reply.h"
#include "scanner/probes/common/dialogue.h"
#include "scanner/probes/common/product_version.h"

namespace ciiscope::scanner {
namespace {

constexpr size_t kMaxStats = 128;
constexpr size_t kStatsCap = 32 * 1024;

bool IsErrorLine(std::string_view line) {
  return line == "ERROR" || line.starts_with("CLIENT_ERROR") || line.starts_with("SERVER_ERROR");
}

class MemcachedProbe : public ServiceProbe {
 public:
  std::string_view name() const override { return "memcached"; }
  std::string_view description() const override {
    return "sends \"version\" and \"stats\" (read-only)";
  }
  const std::vector<uint16_t>& port_hints() const override {
    static const std::vector<uint16_t> kPorts = {11211};
    return kPorts;
  }

  asio::awaitable<ProbeResult> Run(const ProbeContext& ctx) const override {
    ProbeResult result;
    auto conv = co_await ConnectForGreeting(ctx);
    if (!conv) co_return result;
    result.connected = true;
    std::string version_bytes;
    ReadOutcome out;
    if (co_await SendBytes(*conv, "version\r\n")) {
      out = co_await ReadReply(*conv, &version_bytes, 1024, [](std::string_view b) {
        return ParseMemcachedVersion(b).complete;
      });
    }
    NoteFirstBytes(version_bytes, &result);
    MemcachedVersion v = ParseMemcachedVersion(version_bytes);
    result.recognized = v.well_formed;
    std::string raw = version_bytes;
    nlohmann::json data = {{"timed_out", out.timed_out}, {"truncated", out.truncated}};
    if (v.well_formed) {
      conv->set_deadline(ctx.deadline);
      data["version"] = EvidenceText(v.version, 128);
      data["cpe"] = CpeFor("memcached", v.version);
      std::string stats_bytes;
      if (co_await SendBytes(*conv, "stats\r\n")) {
        co_await ReadReply(*conv, &stats_bytes, kStatsCap, [](std::string_view b) {
          return ParseMemcachedStats(b).complete;
        });
      }
      MemcachedStats s = ParseMemcachedStats(stats_bytes);
      nlohmann::json stats = nlohmann::json::object();
      for (const auto& [k, val] : s.stats) stats[EvidenceText(k, 64)] = EvidenceText(val, 256);
      data["stats"] = std::move(stats);
      if (!s.error.empty()) data["stats_error"] = EvidenceText(s.error, 256);
      raw += stats_bytes;
    } else if (!version_bytes.empty()) {
      data["error"] = "not a memcached reply";
      data["text"] = EvidenceText(version_bytes, 1024);
    }
    conv->Close();
    if (raw.empty()) co_return result;
    RecordProbe(ctx, "memcached-version", std::move(data), std::move(raw));
    co_return result;
  }
};

}  // namespace

MemcachedVersion ParseMemcachedVersion(std::string_view bytes) {
  MemcachedVersion v;
  auto lines = CompleteLines(bytes);
  if (lines.empty()) return v;
  v.complete = true;
  if (lines[0].starts_with("VERSION ")) {
    v.well_formed = true;
    v.version = std::string(lines[0].substr(8));
  }
  return v;
}

MemcachedStats ParseMemcachedStats(std::string_view bytes) {
  MemcachedStats s;
  for (std::string_view line : CompleteLines(bytes)) {
    if (line == "END") {
      s.complete = true;
      return s;
    }
    if (IsErrorLine(line)) {
      s.error = std::string(line);
      s.complete = true;
      return s;
    }
    if (!line.starts_with("STAT ") || s.stats.size() >= kMaxStats) continue;
    std::string_view rest = line.substr(5);
    size_t sp = rest.find(' ');
    if (sp == std::string_view::npos) continue;
    s.stats[std::string(rest.substr(0, sp))] = std::string(rest.substr(sp + 1));
  }
  return s;
}

std::unique_ptr<ServiceProbe> MakeMemcachedProbe() { return std::make_unique<MemcachedProbe>(); }

}  // namespace ciiscope::scanner
