#include "scanner/probes/telnet/telnet_parser.h"

namespace ciiscope::scanner {
namespace {

constexpr uint8_t kIac = 255, kDont = 254, kDo = 253, kWont = 252, kWill = 251, kSb = 250,
                  kSe = 240;
constexpr size_t kMaxNegotiation = 64;
constexpr size_t kMaxSubBytes = 4096;  // longer subnegotiations are abandoned

const char* VerbName(uint8_t v) {
  switch (v) {
    case kDo: return "DO";
    case kDont: return "DONT";
    case kWill: return "WILL";
    default: return "WONT";
  }
}

}  // namespace

void TelnetParser::Note(std::string entry) {
  if (negotiation_.size() < kMaxNegotiation) negotiation_.push_back(std::move(entry));
}

void TelnetParser::Feed(std::string_view bytes) {
  for (char ch : bytes) {
    auto c = static_cast<uint8_t>(ch);
    switch (state_) {
      case State::kData:
        if (c == kIac) {
          state_ = State::kIac;
        } else if (text_.size() < text_cap_) {
          text_.push_back(ch);
        } else {
          truncated_ = true;
        }
        break;
      case State::kIac:
        if (c == kIac) {
          if (text_.size() < text_cap_) text_.push_back(ch);
          state_ = State::kData;
        } else if (c >= kWill && c <= kDont) {
          verb_ = c;
          state_ = State::kOption;
        } else if (c == kSb) {
          state_ = State::kSub;
          sub_bytes_ = 0;
        } else {
          state_ = State::kData;  // NOP, GA, AYT …: no data
        }
        break;
      case State::kOption: {
        Note(std::string(VerbName(verb_)) + " " + std::to_string(c));
        uint16_t key = static_cast<uint16_t>(verb_ << 8 | c);
        if ((verb_ == kDo || verb_ == kWill) && answered_.insert(key).second) {
          replies_.push_back(static_cast<char>(kIac));
          replies_.push_back(static_cast<char>(verb_ == kDo ? kWont : kDont));
          replies_.push_back(static_cast<char>(c));
        }
        state_ = State::kData;
        break;
      }
      case State::kSub:
        if (sub_bytes_ == 0) Note("SB " + std::to_string(c));
        if (c == kIac) {
          state_ = State::kSubIac;
        } else if (++sub_bytes_ > kMaxSubBytes) {
          state_ = State::kData;
        }
        break;
      case State::kSubIac:
        state_ = c == kSe ? State::kData : State::kSub;
        ++sub_bytes_;
        break;
    }
  }
}

std::string TelnetParser::TakeReplies() {
  std::string out;
  out.swap(replies_);
  return out;
}

}  // namespace ciiscope::scanner
