#include "scanner/probes/redis/redis_probe.h"

#include <asio/this_coro.hpp>
#include <asio/write.hpp>
#include <charconv>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "scanner/evidence.h"
#include "scanner/probes/common/collected.h"
#include "scanner/probes/common/dialogue.h"
#include "scanner/probes/conversation.h"

namespace ciiscope::scanner {
namespace {

constexpr std::string_view kRequest = "INFO server\r\n";
// collect: redis-info — INFO with no argument: the default sections.
constexpr std::string_view kCollectInfo = "INFO\r\n";
constexpr size_t kMaxKeyspaceDbs = 64;

// The `redis-info` collect request on the probe's connection. A server that
// refused INFO server (-NOAUTH, -DENIED) is not asked again: its refusal is
// the answer.
asio::awaitable<void> CollectRedisInfo(const ProbeContext& ctx, Conversation& conv,
                                       std::string_view first_bytes) {
  const HttpCollectPlan& plan = *ctx.http_collect;
  if (first_bytes.starts_with('-')) {
    RecordCollect(ctx, "redis-info", RedisInfoFacts(first_bytes, false, false), std::string(first_bytes));
    co_return;
  }
  conv.set_deadline(std::chrono::steady_clock::now() + plan.request_timeout);
  std::string bytes;
  ReadOutcome out;
  if (co_await SendBytes(conv, kCollectInfo)) {
    out = co_await ReadReply(conv, &bytes, plan.body_cap,
                             [](std::string_view b) { return ParseRedisReply(b).complete; });
  }
  if (bytes.empty()) co_return;
  nlohmann::json fields = RedisInfoFacts(bytes, out.truncated, out.timed_out && !out.complete);
  RecordCollect(ctx, "redis-info", std::move(fields), std::move(bytes));
}

class RedisProbe : public ServiceProbe {
 public:
  std::string_view name() const override { return "redis"; }
  std::string_view description() const override {
    return "sends INFO server (read-only) and records the reply";
  }
  const std::vector<uint16_t>& port_hints() const override {
    static const std::vector<uint16_t> kPorts = {6379};
    return kPorts;
  }

  asio::awaitable<ProbeResult> Run(const ProbeContext& ctx) const override {
    ProbeResult result;
    auto conv = Conversation::Create(co_await asio::this_coro::executor, ctx.stop, ctx.deadline);
    if (co_await conv->Connect(ToEndpoint(ctx.target.address, ctx.port))) co_return result;
    result.connected = true;
    auto [wec, written] = co_await asio::async_write(conv->socket(), asio::buffer(kRequest), kUseTuple);
    std::string bytes;
    bool truncated = false;
    if (!wec) {
      char buf[4096];
      while (true) {
        auto [ec, n] = co_await conv->socket().async_read_some(asio::buffer(buf), kUseTuple);
        size_t room = ctx.banner_cap - std::min(ctx.banner_cap, bytes.size());
        bytes.append(buf, std::min(n, room));
        if (n > room) truncated = true;
        if (ec || truncated || ParseRedisReply(bytes).complete) break;
      }
    }
    bool timed_out = conv->expired();
    RedisReply reply = ParseRedisReply(bytes);
    if (reply.is_resp && reply.complete && !truncated && !timed_out && WantsCollect(ctx, "redis-info") &&
        !ctx.stop->load(std::memory_order_relaxed)) {
      co_await CollectRedisInfo(ctx, *conv, bytes);
    }
    conv->Close();
    result.bytes = bytes.size();
    result.first_bytes = bytes.substr(0, 16);
    result.suggests_tls = LooksLikeTls(bytes);
    result.recognized = reply.is_resp;
    if (bytes.empty()) co_return result;
    auto obs = MakeObservation(ctx.target, ctx.port, "probe");
    nlohmann::json data = {
        {"probe", "redis-info"},
        {"text", core::TruncateUtf8(core::Printable(core::SanitizeUtf8(reply.is_resp ? reply.text : bytes)),
                                    ctx.banner_cap)},
        {"truncated", truncated},
        {"timed_out", timed_out && !reply.complete}};
    obs.data_json = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    obs.raw = std::move(bytes);
    ctx.sink->Record(std::move(obs));
    co_return result;
  }
};

}  // namespace

RedisReply ParseRedisReply(std::string_view bytes) {
  RedisReply reply;
  if (bytes.empty()) return reply;
  char type = bytes.front();
  size_t eol = bytes.find("\r\n");
  if (type == '+' || type == '-' || type == ':') {
    reply.is_resp = true;
    reply.complete = eol != std::string_view::npos;
    reply.text = std::string(bytes.substr(0, eol));
    return reply;
  }
  if (type != '$') {
    reply.text = std::string(bytes);
    return reply;
  }
  reply.is_resp = true;
  if (eol == std::string_view::npos) return reply;
  std::string_view len_text = bytes.substr(1, eol - 1);
  long long length = 0;
  auto [ptr, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), length);
  if (ec != std::errc() || ptr != len_text.data() + len_text.size() || length < -1) {
    reply.is_resp = false;
    reply.text = std::string(bytes);
    return reply;
  }
  std::string_view body = bytes.substr(eol + 2);
  if (length == -1) {
    reply.complete = true;
    return reply;
  }
  auto want = static_cast<size_t>(length);
  reply.complete = body.size() >= want + 2;
  reply.text = std::string(body.substr(0, want));
  return reply;
}

nlohmann::json ParseRedisInfo(std::string_view text) {
  nlohmann::json out = nlohmann::json::object();
  nlohmann::json keyspace = nlohmann::json::object();
  int64_t keys_total = 0;
  size_t count = 0;
  size_t start = 0;
  // Every line is looked at (the text is capped by the read), so keyspace
  // lines at the end count even after kMaxCollectKeys other fields.
  while (start < text.size()) {
    size_t eol = text.find('\n', start);
    std::string_view line = text.substr(start, eol == std::string_view::npos ? std::string_view::npos : eol - start);
    start = eol == std::string_view::npos ? text.size() : eol + 1;
    if (line.ends_with('\r')) line.remove_suffix(1);
    size_t colon = line.find(':');
    if (line.empty() || line.front() == '#' || colon == std::string_view::npos || colon == 0 ||
        colon > kMaxCollectKeyBytes) {
      continue;
    }
    std::string_view key = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    // Keyspace lines: db0:keys=3,expires=0,avg_ttl=0
    if (key.size() > 2 && key.starts_with("db") &&
        key.substr(2).find_first_not_of("0123456789") == std::string_view::npos) {
      if (keyspace.size() >= kMaxKeyspaceDbs) continue;
      nlohmann::json db = nlohmann::json::object();
      size_t at = 0;
      while (at < value.size() && db.size() < 16) {
        size_t comma = value.find(',', at);
        std::string_view pair = value.substr(at, comma == std::string_view::npos ? std::string_view::npos : comma - at);
        at = comma == std::string_view::npos ? value.size() : comma + 1;
        size_t eq = pair.find('=');
        if (eq == std::string_view::npos || eq == 0 || eq > kMaxCollectKeyBytes) continue;
        db[EvidenceText(pair.substr(0, eq), kMaxCollectKeyBytes)] = CollectScalar(pair.substr(eq + 1));
      }
      if (db.contains("keys") && db["keys"].is_number_integer()) {
        int64_t keys = db["keys"].get<int64_t>();
        if (keys > 0 && keys_total <= INT64_MAX - keys) keys_total += keys;
      }
      keyspace[EvidenceText(key, kMaxCollectKeyBytes)] = std::move(db);
      continue;
    }
    if (count >= kMaxCollectKeys) continue;
    ++count;
    std::string name = EvidenceText(key, kMaxCollectKeyBytes);
    if (name == "keyspace" || name == "keys_total" || name == "truncated" || name == "timed_out" ||
        name == "error" || name == "auth_required") {
      continue;  // ours
    }
    out[name] = CollectScalar(value);
  }
  out["keyspace"] = std::move(keyspace);
  out["keys_total"] = keys_total;
  return out;
}

nlohmann::json RedisInfoFacts(std::string_view bytes, bool truncated, bool timed_out) {
  const RedisReply reply = ParseRedisReply(bytes);
  nlohmann::json fields = nlohmann::json::object();
  if (!reply.is_resp) {
    fields["error"] = "not a RESP reply";
  } else if (bytes.front() == '-') {
    std::string error = EvidenceText(std::string_view(reply.text).substr(1), kMaxCollectValueBytes);
    fields["auth_required"] = error.starts_with("NOAUTH") || error.starts_with("WRONGPASS") ||
                              error.starts_with("NOPERM");
    fields["error"] = std::move(error);
  } else if (bytes.front() != '$') {
    fields["error"] = "unexpected reply: " + EvidenceText(reply.text, kMaxCollectValueBytes);
  } else {
    fields = ParseRedisInfo(reply.text);
  }
  fields["truncated"] = truncated;
  fields["timed_out"] = timed_out;
  return fields;
}

std::unique_ptr<ServiceProbe> MakeRedisProbe() { return std::make_unique<RedisProbe>(); }

}  // namespace ciiscope::scanner
