#include "scanner/probes/rdp/rdp_probe.h"

#include "scanner/probes/common/greeting_probe.h"

namespace ciiscope::scanner {
namespace {

constexpr uint8_t kTypeNegRsp = 0x02;
constexpr uint8_t kTypeNegFailure = 0x03;
constexpr uint8_t kX224ConnectionConfirm = 0xd0;
constexpr size_t kMaxTpkt = 1024;  // a Connection Confirm is 19 bytes

uint32_t Le32(std::string_view b, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v |= uint32_t{static_cast<uint8_t>(b[at + i])} << (8 * i);
  return v;
}

class RdpProbe : public GreetingProbe {
 public:
  RdpProbe()
      : GreetingProbe("rdp", "X.224 Connection Request with an RDP negotiation (no login)",
                      {3389}) {}

 protected:
  std::string Opening() const override { return RdpConnectionRequest(); }
  size_t FirstReplyCap(const ProbeContext&) const override { return kMaxTpkt; }
  bool FirstReplyComplete(std::string_view b) const override {
    return ParseRdpConnectionConfirm(b).complete;
  }

  asio::awaitable<void> Continue(const ProbeContext& ctx, Conversation&, FirstReply& first,
                                 ProbeResult* result) const override {
    RdpConnectionConfirm cc = ParseRdpConnectionConfirm(first.bytes);
    result->recognized = cc.well_formed;
    if (first.bytes.empty()) co_return;
    nlohmann::json data = {{"timed_out", first.outcome.timed_out},
                           {"truncated", first.outcome.truncated}};
    if (cc.well_formed) {
      data["x224"] = "connection-confirm";
      data["negotiation"] = !cc.has_negotiation ? "none" : (cc.failure ? "failure" : "response");
      data["flags"] = cc.flags;
      if (cc.has_negotiation && !cc.failure) {
        data["selected_protocol"] = std::string(RdpProtocolName(cc.selected_protocol));
        data["nla"] = cc.selected_protocol == 2 || cc.selected_protocol == 8;
      } else if (cc.failure) {
        data["failure_code"] = cc.failure_code;
      } else {
        data["selected_protocol"] = "rdp";  // a server that predates negotiation
        data["nla"] = false;
      }
    } else {
      data["error"] = "not an X.224 Connection Confirm";
      data["text"] = EvidenceText(first.bytes, 256);
    }
    RecordProbe(ctx, "rdp-negotiate", std::move(data), std::move(first.bytes));
  }
};

}  // namespace

std::string RdpConnectionRequest() {
  // TPKT (4) + X.224 CR (7) + RDP_NEG_REQ (8): requestedProtocols = SSL | HYBRID.
  static const char kRequest[] = {
      0x03, 0x00, 0x00, 0x13,                          // TPKT v3, length 19
      0x0e, static_cast<char>(0xe0), 0, 0, 0, 0, 0,    // X.224 CR, LI 14
      0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00,  // RDP_NEG_REQ
  };
  return std::string(kRequest, sizeof(kRequest));
}

RdpConnectionConfirm ParseRdpConnectionConfirm(std::string_view b) {
  RdpConnectionConfirm cc;
  if (!b.empty() && b[0] != 0x03) {
    cc.complete = true;  // not TPKT: nothing more will make it one
    return cc;
  }
  if (b.size() < 4) return cc;
  size_t length = static_cast<size_t>(static_cast<uint8_t>(b[2])) << 8 | static_cast<uint8_t>(b[3]);
  if (length < 11 || length > kMaxTpkt) {
    cc.complete = true;
    return cc;
  }
  if (b.size() < length) return cc;
  cc.complete = true;
  std::string_view pdu = b.substr(4, length - 4);
  auto li = static_cast<uint8_t>(pdu[0]);
  if ((static_cast<uint8_t>(pdu[1]) & 0xf0) != kX224ConnectionConfirm || li + 1u > pdu.size() ||
      li < 6) {
    return cc;
  }
  cc.well_formed = true;
  std::string_view neg = pdu.substr(7, li + 1u - 7);
  if (neg.size() >= 8) {
    auto type = static_cast<uint8_t>(neg[0]);
    if (type == kTypeNegRsp || type == kTypeNegFailure) {
      cc.has_negotiation = true;
      cc.failure = type == kTypeNegFailure;
      cc.flags = static_cast<uint8_t>(neg[1]);
      (cc.failure ? cc.failure_code : cc.selected_protocol) = Le32(neg, 4);
    }
  }
  return cc;
}

std::string_view RdpProtocolName(uint32_t protocol) {
  switch (protocol) {
    case 0: return "rdp";
    case 1: return "ssl";
    case 2: return "hybrid";
    case 4: return "rdstls";
    case 8: return "hybrid_ex";
    default: return "unknown";
  }
}

std::unique_ptr<ServiceProbe> MakeRdpProbe() { return std::make_unique<RdpProbe>(); }

}  // namespace ciiscope::scanner
