#include "scanner/probes/memcached/memcached_probe.h"

#include <asio/this_coro.hpp>

#include "scanner/probes/common/code_reply.h"
#include "scanner/probes/common/collected.h"
#include "scanner/probes/common/greeting_probe.h"
#include "scanner/probes/common/product_version.h"

namespace ciiscope::scanner {
namespace {

constexpr size_t kMaxStats = 128;
constexpr size_t kStatsCap = 32 * 1024;

bool IsErrorLine(std::string_view line) {
  return line == "ERROR" || line.starts_with("CLIENT_ERROR") || line.starts_with("SERVER_ERROR");
}

class MemcachedProbe : public GreetingProbe {
 public:
  MemcachedProbe()
      : GreetingProbe("memcached", "sends \"version\" and \"stats\" (read-only)", {11211}) {}

 protected:
  std::string Opening() const override { return "version\r\n"; }
  size_t FirstReplyCap(const ProbeContext&) const override { return 1024; }
  bool FirstReplyComplete(std::string_view b) const override {
    return ParseMemcachedVersion(b).complete;
  }

  asio::awaitable<void> Continue(const ProbeContext& ctx, Conversation& conv, FirstReply& first,
                                 ProbeResult* result) const override {
    const std::string& version_bytes = first.bytes;
    const ReadOutcome& out = first.outcome;
    MemcachedVersion v = ParseMemcachedVersion(version_bytes);
    result->recognized = v.well_formed;
    std::string raw = version_bytes;
    nlohmann::json data = {{"timed_out", out.timed_out}, {"truncated", out.truncated}};
    if (v.well_formed) {
      conv.set_deadline(ctx.deadline);
      data["version"] = EvidenceText(v.version, 128);
      data["cpe"] = CpeFor("memcached", v.version);
      std::string stats_bytes;
      ReadOutcome stats_out;
      if (co_await SendBytes(conv, "stats\r\n")) {
        stats_out = co_await ReadReply(conv, &stats_bytes, kStatsCap, [](std::string_view b) {
          return ParseMemcachedStats(b).complete;
        });
      }
      MemcachedStats s = ParseMemcachedStats(stats_bytes);
      // collect: memcached-stats is this very answer, kept with typed values.
      if (!stats_bytes.empty() && WantsCollect(ctx, "memcached-stats")) {
        nlohmann::json fields = MemcachedStatsFacts(s);
        fields["truncated"] = stats_out.truncated;
        fields["timed_out"] = stats_out.timed_out && !stats_out.complete;
        RecordCollect(ctx, "memcached-stats", std::move(fields), stats_bytes);
      }
      nlohmann::json stats = nlohmann::json::object();
      for (const auto& [k, val] : s.stats) stats[EvidenceText(k, 64)] = EvidenceText(val, 256);
      data["stats"] = std::move(stats);
      if (!s.error.empty()) data["stats_error"] = EvidenceText(s.error, 256);
      raw += stats_bytes;
    } else if (!version_bytes.empty()) {
      data["error"] = "not a memcached reply";
      data["text"] = EvidenceText(version_bytes, 1024);
    }
    if (raw.empty()) co_return;
    RecordProbe(ctx, "memcached-version", std::move(data), std::move(raw));
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

nlohmann::json MemcachedStatsFacts(const MemcachedStats& stats) {
  nlohmann::json fields = nlohmann::json::object();
  for (const auto& [k, val] : stats.stats) {
    if (k.size() > kMaxCollectKeyBytes || k == "error" || k == "truncated" || k == "timed_out") continue;
    fields[EvidenceText(k, kMaxCollectKeyBytes)] = CollectScalar(val);
  }
  if (!stats.error.empty()) fields["error"] = EvidenceText(stats.error, kMaxCollectValueBytes);
  return fields;
}

std::unique_ptr<ServiceProbe> MakeMemcachedProbe() { return std::make_unique<MemcachedProbe>(); }

}  // namespace ciiscope::scanner
