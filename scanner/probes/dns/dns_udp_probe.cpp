// DNS over UDP: the version.bind CH TXT query of the TCP probe plus a root
// NS query, both in one attempt, told apart by their message ids.

#include <memory>

#include "scanner/probes/common/dialogue.h"
#include "scanner/probes/dns/dns_probe.h"
#include "scanner/probes/udp_probe.h"

namespace ciiscope::scanner {
namespace {

constexpr size_t kMaxVersion = 512;

uint16_t U16(std::string_view b, size_t at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(b[at]) << 8 | static_cast<uint8_t>(b[at + 1]));
}

class DnsUdpProbe : public UdpProbe {
 public:
  std::string_view name() const override { return "dns"; }
  std::string_view description() const override {
    return "version.bind CH TXT and . IN NS over UDP (read-only)";
  }
  const std::vector<uint16_t>& port_hints() const override {
    static const std::vector<uint16_t> kPorts = {53, 5353};
    return kPorts;
  }
  std::vector<std::string> Requests() const override { return {DnsVersionQuery(), DnsRootQuery()}; }

  std::optional<UdpFinding> Interpret(std::string_view m) const override {
    if (m.size() < 12) return std::nullopt;
    if (U16(m, 0) == kDnsVersionQueryId) {
      DnsVersionReply r = ParseDnsVersionReply(m);
      if (!r.well_formed) return std::nullopt;
      nlohmann::json data = {{"transport", "udp"},
                             {"rcode", r.rcode},
                             {"rcode_name", std::string(DnsRcodeName(r.rcode))},
                             {"authoritative", r.authoritative},
                             {"recursion_available", r.recursion_available}};
      if (r.has_version) data["version"] = EvidenceText(r.version, kMaxVersion);
      return UdpFinding{"dns-version", std::move(data)};
    }
    DnsRootReply r = ParseDnsRootReply(m);
    if (!r.well_formed) return std::nullopt;
    nlohmann::json data = {{"transport", "udp"},
                           {"rcode", r.rcode},
                           {"rcode_name", std::string(DnsRcodeName(r.rcode))},
                           {"authoritative", r.authoritative},
                           {"recursion_available", r.recursion_available},
                           {"truncated_flag", r.truncated},
                           {"answers", r.answers},
                           {"authority", r.authority}};
    return UdpFinding{"dns-root", std::move(data)};
  }
};

}  // namespace

std::string DnsRootQuery() {
  // id, flags RD, one question: the root name, type NS (2), class IN (1).
  static const char kQuery[] = {0x63, 0x6a, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
                                0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01};
  return std::string(kQuery, sizeof(kQuery));
}

DnsRootReply ParseDnsRootReply(std::string_view m) {
  DnsRootReply r;
  if (m.size() < 12) return r;
  uint16_t flags = U16(m, 2);
  if (U16(m, 0) != kDnsRootQueryId || !(flags & 0x8000)) return r;
  r.well_formed = true;
  r.authoritative = (flags & 0x0400) != 0;
  r.truncated = (flags & 0x0200) != 0;
  r.recursion_available = (flags & 0x0080) != 0;
  r.rcode = flags & 0x000f;
  r.answers = U16(m, 6);
  r.authority = U16(m, 8);
  return r;
}

std::unique_ptr<UdpProbe> MakeDnsUdpProbe() { return std::make_unique<DnsUdpProbe>(); }

}  // namespace ciiscope::scanner
