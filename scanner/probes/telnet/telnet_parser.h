#pragma once
// Telnet (RFC 854/855) option negotiation over bytes, incremental: feed any
// segmentation; IAC sequences are removed from the text, "IAC IAC" becomes
// one 0xFF byte, and every DO/WILL is answered with a refusal (WONT/DONT)
// once per option, so the server goes on to its login text.

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace ciiscope::scanner {

class TelnetParser {
 public:
  explicit TelnetParser(size_t text_cap = 16 * 1024) : text_cap_(text_cap) {}

  void Feed(std::string_view bytes);

  // The data bytes with negotiation stripped (at most text_cap).
  const std::string& text() const { return text_; }
  bool truncated() const { return truncated_; }
  // "DO 24", "WILL 1", "SB 24" … in arrival order (at most 64).
  const std::vector<std::string>& negotiation() const { return negotiation_; }
  // Refusals not yet sent; the caller sends and clears them.
  std::string TakeReplies();

 private:
  enum class State { kData, kIac, kOption, kSub, kSubIac };
  void Note(std::string entry);

  size_t text_cap_;
  State state_ = State::kData;
  uint8_t verb_ = 0;
  std::string text_;
  bool truncated_ = false;
  std::vector<std::string> negotiation_;
  std::string replies_;
  std::set<uint16_t> answered_;  // verb << 8 | option
  size_t sub_bytes_ = 0;
};

}  // namespace ciiscope::scanner
