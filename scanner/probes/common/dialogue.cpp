#include "scanner/probes/common/dialogue.h"

#include <algorithm>
#include <asio/this_coro.hpp>
#include <asio/write.hpp>

#include "core/text.h"
#include "scanner/evidence.h"

namespace ciiscope::scanner {
namespace {

asio::awaitable<ReadOutcome> Read(Conversation& conv, std::string* bytes, size_t cap,
                                  std::chrono::milliseconds idle,
                                  const std::function<bool(std::string_view)>& complete) {
  ReadOutcome out;
  const SteadyTime end = conv.deadline();
  char buf[4096];
  // Bounded: every pass either appends bytes (capped) or ends the loop.
  while (true) {
    if (complete(*bytes)) {
      out.complete = true;
      break;
    }
    if (bytes->size() >= cap) {
      out.truncated = true;
      break;
    }
    size_t want = std::min(sizeof(buf), cap - bytes->size());
    auto [ec, n] = co_await conv.socket().async_read_some(asio::buffer(buf, want), kUseTuple);
    bytes->append(buf, n);
    if (ec) {
      out.complete = complete(*bytes);
      if (conv.expired()) {
        // An idle timeout after data is the normal end of an open reply.
        out.timed_out = idle.count() == 0 || bytes->empty() ||
                        std::chrono::steady_clock::now() >= end;
      } else {
        out.closed = true;
      }
      break;
    }
    if (idle.count() > 0 && n > 0) {
      conv.set_deadline(std::min(end, std::chrono::steady_clock::now() + idle));
    }
  }
  if (idle.count() > 0) conv.set_deadline(end);
  co_return out;
}

}  // namespace

asio::awaitable<ReadOutcome> ReadReply(Conversation& conv, std::string* bytes, size_t cap,
                                       const std::function<bool(std::string_view)>& complete) {
  co_return co_await Read(conv, bytes, cap, std::chrono::milliseconds(0), complete);
}

asio::awaitable<ReadOutcome> ReadUntilIdle(Conversation& conv, std::string* bytes, size_t cap,
                                           std::chrono::milliseconds idle,
                                           const std::function<bool(std::string_view)>& complete) {
  co_return co_await Read(conv, bytes, cap, idle, complete);
}

asio::awaitable<bool> SendBytes(Conversation& conv, std::string_view data) {
  if (conv.expired()) co_return false;
  auto [ec, n] = co_await asio::async_write(conv.socket(), asio::buffer(data), kUseTuple);
  co_return !ec && n == data.size();
}

asio::awaitable<std::shared_ptr<Conversation>> ConnectForGreeting(const ProbeContext& ctx) {
  auto window_end = std::min(ctx.deadline, std::chrono::steady_clock::now() + kGreetingWindow);
  auto conv = Conversation::Create(co_await asio::this_coro::executor, ctx.stop, window_end);
  if (co_await conv->Connect(ToEndpoint(ctx.target.address, ctx.port))) {
    conv->Close();
    co_return nullptr;
  }
  co_return conv;
}

std::string EvidenceText(std::string_view bytes, size_t cap) {
  return core::TruncateUtf8(core::Printable(core::SanitizeUtf8(bytes)), cap);
}

void RecordProbe(const ProbeContext& ctx, std::string_view probe_name, nlohmann::json data,
                 std::string raw) {
  data["probe"] = probe_name;
  auto obs = MakeObservation(ctx.target, ctx.port, "probe");
  obs.data_json = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  obs.raw = std::move(raw);
  ctx.sink->Record(std::move(obs));
}

void RecordGreetingBanner(const ProbeContext& ctx, std::string_view bytes, bool truncated) {
  if (bytes.empty()) return;
  auto obs = MakeObservation(ctx.target, ctx.port, "banner");
  nlohmann::json data = {{"text", EvidenceText(bytes, ctx.banner_cap)},
                         {"bytes", bytes.size()},
                         {"truncated", truncated},
                         {"timed_out", false}};
  obs.data_json = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  obs.raw = std::string(bytes);
  ctx.sink->Record(std::move(obs));
}

void NoteFirstBytes(std::string_view bytes, ProbeResult* result) {
  result->bytes += bytes.size();
  if (result->first_bytes.empty()) result->first_bytes = std::string(bytes.substr(0, 16));
  result->suggests_tls = result->suggests_tls || LooksLikeTls(bytes);
}

}  // namespace ciiscope::scanner
