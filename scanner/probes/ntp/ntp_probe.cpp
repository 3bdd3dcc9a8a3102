#include "scanner/probes/ntp/ntp_probe.h"

#include <algorithm>
#include <cstdio>

#include "scanner/probes/common/dialogue.h"
#include "scanner/probes/udp_probe.h"

namespace ciiscope::scanner {
namespace {

constexpr size_t kPacketSize = 48;
constexpr size_t kControlHeader = 12;
constexpr size_t kMaxVariables = 4096;

uint8_t Byte(std::string_view b, size_t at) { return static_cast<uint8_t>(b[at]); }
uint16_t U16(std::string_view b, size_t at) {
  return static_cast<uint16_t>(Byte(b, at) << 8 | Byte(b, at + 1));
}
uint32_t U32(std::string_view b, size_t at) {
  return static_cast<uint32_t>(U16(b, at)) << 16 | U16(b, at + 2);
}
// NTP short format (16.16 seconds) → milliseconds.
double ShortMs(uint32_t v) { return static_cast<double>(v) * 1000.0 / 65536.0; }

std::string RefId(std::string_view b, int stratum) {
  std::string_view raw = b.substr(12, 4);
  if (stratum <= 1 || stratum >= 16) {  // an ASCII reference or kiss code ("INIT"), NUL-padded
    std::string out;
    for (char c : raw) {
      if (c == '\0') break;
      out.push_back(c);
    }
    return EvidenceText(out, 8);
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%u.%u.%u.%u", Byte(b, 12), Byte(b, 13), Byte(b, 14), Byte(b, 15));
  return buf;
}

class NtpProbe : public UdpProbe {
 public:
  std::string_view name() const override { return "ntp"; }
  std::string_view description() const override {
    return "NTP mode 3 client request and mode 6 READVAR (read-only; no mode 7/monlist)";
  }
  const std::vector<uint16_t>& port_hints() const override {
    static const std::vector<uint16_t> kPorts = {123};
    return kPorts;
  }
  std::vector<std::string> Requests() const override { return {NtpClientRequest(), NtpReadVarRequest()}; }

  std::optional<UdpFinding> Interpret(std::string_view d) const override {
    if (d.empty()) return std::nullopt;
    if ((Byte(d, 0) & 7) == 6) {
      NtpControlReply c = ParseNtpControlReply(d);
      if (!c.well_formed || c.offset != 0) return std::nullopt;
      nlohmann::json data = {{"text", EvidenceText(c.text, kMaxVariables)},
                             {"error", c.error},
                             {"more", c.more}};
      if (!c.version.empty()) data["version"] = EvidenceText(c.version, 256);
      if (!c.system.empty()) data["system"] = EvidenceText(c.system, 256);
      if (!c.processor.empty()) data["processor"] = EvidenceText(c.processor, 64);
      return UdpFinding{"ntp-readvar", std::move(data)};
    }
    NtpReply r = ParseNtpReply(d);
    if (!r.well_formed) return std::nullopt;
    nlohmann::json data = {{"ntp_version", r.version},
                           {"mode", r.mode},
                           {"leap", r.leap},
                           {"stratum", r.stratum},
                           {"refid", r.refid},
                           {"poll", r.poll},
                           {"precision", r.precision},
                           {"root_delay_ms", r.root_delay_ms},
                           {"root_dispersion_ms", r.root_dispersion_ms},
                           {"origin_matches", r.origin_matches},
                           {"synchronized", r.leap != 3 && r.stratum >= 1 && r.stratum <= 15}};
    return UdpFinding{"ntp", std::move(data)};
  }
};

}  // namespace

std::string NtpClientRequest() {
  std::string p(kPacketSize, '\0');
  p[0] = 0x23;  // LI 0, version 4, mode 3 (client)
  p.replace(40, kNtpNonce.size(), kNtpNonce);
  return p;
}

std::string NtpReadVarRequest() {
  // LI 0, version 2, mode 6; opcode 2 (read variables); our sequence; status,
  // association 0 (the system variables), offset 0, count 0.
  std::string p(kControlHeader, '\0');
  p[0] = 0x16;
  p[1] = 0x02;
  p[2] = static_cast<char>(kNtpControlSequence >> 8);
  p[3] = static_cast<char>(kNtpControlSequence & 0xff);
  return p;
}

NtpReply ParseNtpReply(std::string_view d) {
  NtpReply r;
  if (d.size() < kPacketSize) return r;
  r.leap = Byte(d, 0) >> 6;
  r.version = (Byte(d, 0) >> 3) & 7;
  r.mode = Byte(d, 0) & 7;
  if ((r.mode != 4 && r.mode != 5) || r.version < 1 || r.version > 4) return r;
  r.well_formed = true;
  r.stratum = Byte(d, 1);
  r.poll = static_cast<int8_t>(Byte(d, 2));
  r.precision = static_cast<int8_t>(Byte(d, 3));
  r.root_delay_ms = ShortMs(U32(d, 4));
  r.root_dispersion_ms = ShortMs(U32(d, 8));
  r.refid = RefId(d, r.stratum);
  r.origin_matches = d.substr(24, 8) == kNtpNonce;
  return r;
}

NtpControlReply ParseNtpControlReply(std::string_view d) {
  NtpControlReply c;
  if (d.size() < kControlHeader) return c;
  const uint8_t flags = Byte(d, 1);
  if ((Byte(d, 0) & 7) != 6 || !(flags & 0x80) || (flags & 0x1f) != 2) return c;
  if (U16(d, 2) != kNtpControlSequence) return c;
  c.well_formed = true;
  c.error = (flags & 0x40) != 0;
  c.more = (flags & 0x20) != 0;
  c.offset = U16(d, 8);
  const size_t count = U16(d, 10);
  c.text = std::string(d.substr(kControlHeader, std::min({count, d.size() - kControlHeader, kMaxVariables})));
  c.version = NtpVariable(c.text, "version");
  c.system = NtpVariable(c.text, "system");
  c.processor = NtpVariable(c.text, "processor");
  return c;
}

std::string NtpVariable(std::string_view text, std::string_view name) {
  size_t at = 0;
  while (at < text.size()) {
    while (at < text.size() && (text[at] == ' ' || text[at] == ',' || text[at] == '\r' || text[at] == '\n')) ++at;
    size_t eq = text.find('=', at);
    size_t comma = text.find(',', at);
    if (eq == std::string_view::npos || (comma != std::string_view::npos && comma < eq)) {
      if (comma == std::string_view::npos) return "";
      at = comma + 1;  // a bare flag without a value
      continue;
    }
    std::string_view key = text.substr(at, eq - at);
    size_t v = eq + 1;
    std::string value;
    if (v < text.size() && text[v] == '"') {
      size_t close = text.find('"', v + 1);
      size_t stop = close == std::string_view::npos ? text.size() : close;
      value = std::string(text.substr(v + 1, stop - v - 1));
      at = close == std::string_view::npos ? text.size() : close + 1;
    } else {
      size_t stop = text.find(',', v);
      if (stop == std::string_view::npos) stop = text.size();
      value = std::string(text.substr(v, stop - v));
      at = stop;
    }
    if (key == name) return value;
  }
  return "";
}

std::unique_ptr<UdpProbe> MakeNtpProbe() { return std::make_unique<NtpProbe>(); }

}  // namespace ciiscope::scanner
