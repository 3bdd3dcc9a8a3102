#include "scanner/probes/smb/smb_probe.h"

#include <cstdio>
#include <ctime>

#include "scanner/probes/common/greeting_probe.h"

namespace ciiscope::scanner {
namespace {

constexpr size_t kMaxMessage = 64 * 1024;
constexpr size_t kHeader = 64;
constexpr uint16_t kDialects[] = {0x0202, 0x0210, 0x0300, 0x0302};

uint64_t Le(std::string_view b, size_t at, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t{static_cast<uint8_t>(b[at + i])} << (8 * i);
  return v;
}

void PutLe(std::string* out, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// Known SPNEGO mechanism OIDs (DER contents after 06 len) by name.
struct Mech {
  std::string_view der;
  const char* name;
};
const Mech kMechs[] = {
    {std::string_view("\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x0a", 10), "NTLMSSP"},
    {std::string_view("\x2a\x86\x48\x86\xf7\x12\x01\x02\x02", 9), "Kerberos"},
    {std::string_view("\x2a\x86\x48\x82\xf7\x12\x01\x02\x02", 9), "MS-Kerberos"},
    {std::string_view("\x2a\x86\x48\x86\xf7\x12\x01\x02\x02\x03", 10), "Kerberos-U2U"},
    {std::string_view("\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x1e", 10), "NEGOEX"},
};

class SmbProbe : public GreetingProbe {
 public:
  SmbProbe()
      : GreetingProbe("smb", "SMB2 NEGOTIATE: dialect, signing, server GUID (no session)",
                      {445}) {}

 protected:
  std::string Opening() const override { return Smb2NegotiateRequest(); }
  size_t FirstReplyCap(const ProbeContext&) const override { return kMaxMessage + 4; }
  bool FirstReplyComplete(std::string_view b) const override {
    return ParseSmb2Negotiate(b).complete;
  }

  asio::awaitable<void> Continue(const ProbeContext& ctx, Conversation&, FirstReply& first,
                                 ProbeResult* result) const override {
    Smb2NegotiateResponse r = ParseSmb2Negotiate(first.bytes);
    result->recognized = r.well_formed || r.smb1;
    if (first.bytes.empty()) co_return;
    nlohmann::json data = {{"timed_out", first.outcome.timed_out},
                           {"truncated", first.outcome.truncated}};
    if (r.well_formed) {
      data["dialect"] = SmbDialectName(r.dialect);
      data["signing_enabled"] = (r.security_mode & 0x01) != 0;
      data["signing_required"] = (r.security_mode & 0x02) != 0;
      data["server_guid"] = r.server_guid;
      data["capabilities"] = r.capabilities;
      data["max_transact_size"] = r.max_transact_size;
      data["max_read_size"] = r.max_read_size;
      data["max_write_size"] = r.max_write_size;
      data["system_time"] = FileTimeUtc(r.system_time);
      data["mechanisms"] = r.mechanisms;
    } else if (r.smb1) {
      data["smb1_only"] = true;
    } else {
      if (r.status != 0) data["status"] = r.status;
      data["error"] = "not an SMB2 NEGOTIATE response";
    }
    RecordProbe(ctx, "smb-negotiate", std::move(data), std::move(first.bytes));
  }
};

}  // namespace

std::string Smb2NegotiateRequest() {
  std::string smb = "\xfeSMB";
  PutLe(&smb, kHeader, 2);  // StructureSize
  PutLe(&smb, 0, 2);        // CreditCharge
  PutLe(&smb, 0, 4);        // Status
  PutLe(&smb, 0, 2);        // Command NEGOTIATE
  PutLe(&smb, 1, 2);        // CreditRequest
  PutLe(&smb, 0, 4);        // Flags
  PutLe(&smb, 0, 4);        // NextCommand
  PutLe(&smb, 0, 8);        // MessageId
  PutLe(&smb, 0, 4);        // Reserved (ProcessId)
  PutLe(&smb, 0, 4);        // TreeId
  PutLe(&smb, 0, 8);        // SessionId
  smb.append(16, '\0');     // Signature
  PutLe(&smb, 36, 2);       // StructureSize
  PutLe(&smb, std::size(kDialects), 2);
  PutLe(&smb, 1, 2);        // SecurityMode: signing enabled
  PutLe(&smb, 0, 2);        // Reserved
  PutLe(&smb, 0, 4);        // Capabilities
  smb += std::string_view("ciiscope-probe\x00\x01", 16);  // ClientGuid
  PutLe(&smb, 0, 8);        // ClientStartTime
  for (uint16_t d : kDialects) PutLe(&smb, d, 2);
  std::string out(1, '\0');  // NetBIOS session message, 24-bit length
  out.push_back(static_cast<char>((smb.size() >> 16) & 0xff));
  out.push_back(static_cast<char>((smb.size() >> 8) & 0xff));
  out.push_back(static_cast<char>(smb.size() & 0xff));
  return out + smb;
}

Smb2NegotiateResponse ParseSmb2Negotiate(std::string_view b) {
  Smb2NegotiateResponse r;
  if (!b.empty() && b[0] != '\0') {
    r.complete = true;  // not a session message
    return r;
  }
  if (b.size() < 4) return r;
  size_t length = static_cast<size_t>(static_cast<uint8_t>(b[1])) << 16 |
                  static_cast<size_t>(static_cast<uint8_t>(b[2])) << 8 | static_cast<uint8_t>(b[3]);
  if (length > kMaxMessage || length < 4) {
    r.complete = true;
    return r;
  }
  if (b.size() - 4 < length) return r;
  r.complete = true;
  std::string_view m = b.substr(4, length);
  if (m.starts_with("\xffSMB")) {
    r.smb1 = true;
    return r;
  }
  if (!m.starts_with("\xfeSMB") || m.size() < kHeader + 64) return r;
  r.status = static_cast<uint32_t>(Le(m, 8, 4));
  if (Le(m, 12, 2) != 0 || r.status != 0 || Le(m, kHeader, 2) != 65) return r;
  std::string_view p = m.substr(kHeader);
  r.well_formed = true;
  r.security_mode = static_cast<uint16_t>(Le(p, 2, 2));
  r.dialect = static_cast<uint16_t>(Le(p, 4, 2));
  char guid[40];
  std::snprintf(guid, sizeof(guid), "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                static_cast<unsigned>(Le(p, 8, 4)), static_cast<unsigned>(Le(p, 12, 2)),
                static_cast<unsigned>(Le(p, 14, 2)), static_cast<unsigned>(Le(p, 16, 1)),
                static_cast<unsigned>(Le(p, 17, 1)), static_cast<unsigned>(Le(p, 18, 1)),
                static_cast<unsigned>(Le(p, 19, 1)), static_cast<unsigned>(Le(p, 20, 1)),
                static_cast<unsigned>(Le(p, 21, 1)), static_cast<unsigned>(Le(p, 22, 1)),
                static_cast<unsigned>(Le(p, 23, 1)));
  r.server_guid = guid;
  r.capabilities = static_cast<uint32_t>(Le(p, 24, 4));
  r.max_transact_size = static_cast<uint32_t>(Le(p, 28, 4));
  r.max_read_size = static_cast<uint32_t>(Le(p, 32, 4));
  r.max_write_size = static_cast<uint32_t>(Le(p, 36, 4));
  r.system_time = Le(p, 40, 8);
  size_t blob_offset = Le(p, 56, 2);  // from the start of the SMB2 header
  size_t blob_length = Le(p, 58, 2);
  if (blob_offset >= kHeader && blob_offset <= m.size() && blob_length <= m.size() - blob_offset) {
    std::string_view blob = m.substr(blob_offset, blob_length);
    for (const Mech& mech : kMechs) {
      std::string needle = std::string("\x06", 1) + static_cast<char>(mech.der.size());
      needle += mech.der;
      if (blob.find(needle) != std::string_view::npos) r.mechanisms.emplace_back(mech.name);
    }
  }
  return r;
}

std::string SmbDialectName(uint16_t d) {
  switch (d) {
    case 0x0202: return "2.0.2";
    case 0x0210: return "2.1";
    case 0x0300: return "3.0";
    case 0x0302: return "3.0.2";
    case 0x0311: return "3.1.1";
    case 0x02ff: return "2.???";
    default: {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "0x%04x", d);
      return buf;
    }
  }
}

std::string FileTimeUtc(uint64_t ft) {
  constexpr uint64_t kUnixEpoch = 116444736000000000ULL;  // 1970-01-01 in FILETIME
  if (ft <= kUnixEpoch) return "";
  uint64_t secs = (ft - kUnixEpoch) / 10000000ULL;
  if (secs > 253402300799ULL) return "";  // after 9999-12-31
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::unique_ptr<ServiceProbe> MakeSmbProbe() { return std::make_unique<SmbProbe>(); }

}  // namespace ciiscope::scanner
