#include "scanner/probes/dns/dns_probe.h"

#include "scanner/probes/common/greeting_probe.h"

namespace ciiscope::scanner {
namespace {

constexpr size_t kMaxVersion = 512;
constexpr size_t kMaxNameHops = 32;
constexpr uint16_t kTypeTxt = 16;
constexpr uint16_t kClassChaos = 3;

uint16_t U16(std::string_view b, size_t at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(b[at]) << 8 | static_cast<uint8_t>(b[at + 1]));
}

// Skips a (possibly compressed) name at *at; false when malformed.
bool SkipName(std::string_view m, size_t* at) {
  for (size_t hops = 0; hops < kMaxNameHops; ++hops) {
    if (*at >= m.size()) return false;
    auto len = static_cast<uint8_t>(m[*at]);
    if ((len & 0xc0) == 0xc0) {
      if (*at + 2 > m.size()) return false;
      *at += 2;  // a pointer ends the name in this record
      return true;
    }
    if (len & 0xc0) return false;
    *at += 1 + len;
    if (len == 0) return true;
  }
  return false;
}

void AppendQuery(std::string* out) {
  const char header[] = {0x63, 0x69, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  out->append(header, sizeof(header));  // id, flags 0 (no RD), 1 question
  out->append("\x07version\x04" "bind", 13);
  out->push_back('\0');
  out->append("\x00\x10\x00\x03", 4);  // TXT, CH
}

class DnsTcpProbe : public GreetingProbe {
 public:
  DnsTcpProbe()
      : GreetingProbe("dns", "CHAOS TXT version.bind over TCP (read-only, no recursion)", {53}) {}

 protected:
  std::string Opening() const override {
    std::string q = DnsVersionQuery();
    std::string out;
    out.push_back(static_cast<char>(q.size() >> 8));
    out.push_back(static_cast<char>(q.size() & 0xff));
    return out + q;
  }
  size_t FirstReplyCap(const ProbeContext&) const override { return 65535 + 2; }
  bool FirstReplyComplete(std::string_view b) const override {
    return ParseDnsVersionReplyTcp(b).complete;
  }

  asio::awaitable<void> Continue(const ProbeContext& ctx, Conversation&, FirstReply& first,
                                 ProbeResult* result) const override {
    DnsVersionReply r = ParseDnsVersionReplyTcp(first.bytes);
    result->recognized = r.well_formed;
    if (first.bytes.empty()) co_return;
    nlohmann::json data = {{"transport", "tcp"},
                           {"timed_out", first.outcome.timed_out},
                           {"truncated", first.outcome.truncated}};
    if (r.well_formed) {
      data["rcode"] = r.rcode;
      data["rcode_name"] = std::string(DnsRcodeName(r.rcode));
      data["authoritative"] = r.authoritative;
      data["recursion_available"] = r.recursion_available;
      if (r.has_version) data["version"] = EvidenceText(r.version, kMaxVersion);
    } else {
      data["error"] = "not a DNS response";
    }
    RecordProbe(ctx, "dns-version", std::move(data), std::move(first.bytes));
  }
};

}  // namespace

std::string DnsVersionQuery() {
  std::string q;
  AppendQuery(&q);
  return q;
}

DnsVersionReply ParseDnsVersionReply(std::string_view m) {
  DnsVersionReply r;
  r.complete = true;  // a datagram is whole
  if (m.size() < 12) return r;
  r.id = U16(m, 0);
  uint16_t flags = U16(m, 2);
  if (r.id != kDnsVersionQueryId || !(flags & 0x8000)) return r;  // not our response
  r.well_formed = true;
  r.authoritative = (flags & 0x0400) != 0;
  r.recursion_available = (flags & 0x0080) != 0;
  r.rcode = flags & 0x000f;
  uint16_t qd = U16(m, 4), an = U16(m, 6);
  size_t at = 12;
  for (uint16_t i = 0; i < qd && i < 4; ++i) {
    if (!SkipName(m, &at) || at + 4 > m.size()) return r;
    at += 4;
  }
  for (uint16_t i = 0; i < an && i < 16; ++i) {
    if (!SkipName(m, &at) || at + 10 > m.size()) return r;
    uint16_t type = U16(m, at), klass = U16(m, at + 2), rdlen = U16(m, at + 8);
    at += 10;
    if (rdlen > m.size() - at) return r;
    std::string_view rdata = m.substr(at, rdlen);
    at += rdlen;
    if (type != kTypeTxt || klass != kClassChaos) continue;
    while (!rdata.empty() && r.version.size() < kMaxVersion) {
      size_t n = static_cast<uint8_t>(rdata[0]);
      if (n + 1 > rdata.size()) break;
      if (r.has_version && !r.version.empty()) r.version += ' ';
      r.version.append(rdata.substr(1, n));
      r.has_version = true;
      rdata.remove_prefix(n + 1);
    }
    if (r.has_version) break;
  }
  return r;
}

DnsVersionReply ParseDnsVersionReplyTcp(std::string_view b) {
  DnsVersionReply r;
  if (b.size() < 2) return r;
  size_t len = U16(b, 0);
  if (len < 12) {
    r.complete = true;  // too short to be a DNS message
    return r;
  }
  if (b.size() - 2 < len) return r;
  return ParseDnsVersionReply(b.substr(2, len));
}

std::string_view DnsRcodeName(int rcode) {
  static constexpr std::string_view kNames[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                                "NOTIMP",  "REFUSED"};
  if (rcode >= 0 && rcode < 6) return kNames[rcode];
  return "OTHER";
}

std::unique_ptr<ServiceProbe> MakeDnsTcpProbe() { return std::make_unique<DnsTcpProbe>(); }

}  // namespace ciiscope::scanner
