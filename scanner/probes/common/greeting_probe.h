#pragma once
// Shared shape of the request/response probes. PluginProbe holds the plug-in
// identity (name, description, port hints) as data; GreetingProbe adds the
// common opening of a conversation: connect with the greeting window, send an
// optional opening request, read the first reply until a pure parser says it
// is complete (capped at FirstReplyCap), note its first bytes, then hand the
// open conversation to Continue(). The conversation is closed after Continue
// returns, whatever it did. Internal to the scanner library.

#include <asio/awaitable.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/probes/common/dialogue.h"
#include "scanner/probes/probe.h"

namespace ciiscope::scanner {

class PluginProbe : public ServiceProbe {
 public:
  PluginProbe(std::string_view name, std::string_view description, std::vector<uint16_t> ports)
      : name_(name), description_(description), ports_(std::move(ports)) {}
  std::string_view name() const override { return name_; }
  std::string_view description() const override { return description_; }
  const std::vector<uint16_t>& port_hints() const override { return ports_; }

 private:
  std::string name_;
  std::string description_;
  std::vector<uint16_t> ports_;
};

// The first reply of a conversation and how its read ended.
struct FirstReply {
  std::string bytes;
  ReadOutcome outcome;
};

class GreetingProbe : public PluginProbe {
 public:
  using PluginProbe::PluginProbe;
  asio::awaitable<ProbeResult> Run(const ProbeContext& ctx) const final;

 protected:
  // Bytes sent right after connecting (empty: the server speaks first).
  virtual std::string Opening() const { return {}; }
  // Cap on the first reply (default: the context's banner cap).
  virtual size_t FirstReplyCap(const ProbeContext& ctx) const { return ctx.banner_cap; }
  // Pure function of the bytes so far: the first reply is whole.
  virtual bool FirstReplyComplete(std::string_view bytes) const = 0;
  // Goes on with the conversation (which still has the greeting window as its
  // deadline: call conv.set_deadline(ctx.deadline) to talk longer), sets
  // result->recognized and records evidence. result->connected and the
  // first-bytes fields are already set.
  virtual asio::awaitable<void> Continue(const ProbeContext& ctx, Conversation& conv,
                                         FirstReply& first, ProbeResult* result) const = 0;
};

}  // namespace ciiscope::scanner
