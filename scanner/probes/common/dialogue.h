#pragma once
// Plumbing shared by the request/response probes (ssh, ftp, smtp, pop3,
// imap, mysql, postgres, mongodb, memcached, telnet): read one reply until a
// pure parser says it is complete, under a byte cap and the conversation's
// deadline; send a request; record `probe` evidence. Internal to the scanner
// library. Nothing here throws; odd answers are data.

#include <asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "scanner/probes/conversation.h"
#include "scanner/probes/probe.h"

namespace ciiscope::scanner {

// How long a probe waits for a server that speaks first (same as the NULL probe).
inline constexpr std::chrono::milliseconds kGreetingWindow{2000};

struct ReadOutcome {
  bool complete = false;   // the parser saw a whole reply
  bool truncated = false;  // the reply reached the cap
  bool timed_out = false;  // the deadline (or stop) ended the read
  bool closed = false;     // the peer closed or reset
};

// Appends to *bytes until complete(*bytes), *bytes reaches cap, the peer
// closes or the conversation expires. `complete` must be a pure function of
// the bytes so far (any TCP segmentation gives the same answer).
asio::awaitable<ReadOutcome> ReadReply(Conversation& conv, std::string* bytes, size_t cap,
                                       const std::function<bool(std::string_view)>& complete);

// Like ReadReply, but also stops once `idle` passed without new bytes after
// the first ones (for replies without an end marker: Telnet, banners).
asio::awaitable<ReadOutcome> ReadUntilIdle(Conversation& conv, std::string* bytes, size_t cap,
                                           std::chrono::milliseconds idle,
                                           const std::function<bool(std::string_view)>& complete);

// Writes all of `data`; false when the connection failed or expired.
asio::awaitable<bool> SendBytes(Conversation& conv, std::string_view data);

// Opens a conversation to ctx's service whose deadline is the greeting
// window (at most ctx.deadline); nullptr when the connection failed.
asio::awaitable<std::shared_ptr<Conversation>> ConnectForGreeting(const ProbeContext& ctx);

// Network text made safe for evidence: valid UTF-8, controls visible, capped.
std::string EvidenceText(std::string_view bytes, size_t cap = 4096);

// Records `probe` evidence {"probe": probe_name, …data}.
void RecordProbe(const ProbeContext& ctx, std::string_view probe_name, nlohmann::json data,
                 std::string raw);

// Records the `banner` evidence the NULL probe would have recorded for the
// greeting, so banner rules see it when a hinted probe ran instead.
void RecordGreetingBanner(const ProbeContext& ctx, std::string_view bytes, bool truncated);

// Fills the ProbeResult fields every probe reports from the first reply.
void NoteFirstBytes(std::string_view bytes, ProbeResult* result);

}  // namespace ciiscope::scanner
