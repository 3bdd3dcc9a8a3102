#include "scanner/probes/redis/redis_probe.h"

#include <asio/this_coro.hpp>
#include <asio/write.hpp>
#include <charconv>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "scanner/evidence.h"
#include "scanner/probes/conversation.h"

namespace ciiscope::scanner {
namespace {

constexpr std::string_view kRequest = "INFO server\r\n";

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
    conv->Close();
    RedisReply reply = ParseRedisReply(bytes);
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

std::unique_ptr<ServiceProbe> MakeRedisProbe() { return std::make_unique<RedisProbe>(); }

}  // namespace ciiscope::scanner
