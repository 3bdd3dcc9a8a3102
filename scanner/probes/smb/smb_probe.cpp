#include "scanner/probes/smb/smb_probe.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "scanner/probes/common/greeting_probe.h"
#include "scanner/probes/smb/ntlm_challenge.h"

namespace ciiscope::scanner {
namespace {

constexpr size_t kMaxMessage = 64 * 1024;
constexpr size_t kHeader = 64;
constexpr uint16_t kDialects[] = {0x0202, 0x0210, 0x0300, 0x0302};
constexpr uint32_t kStatusMoreProcessing = 0xc0000016;

uint64_t Le(std::string_view b, size_t at, size_t n) { return ReadLe(b, at, n); }
void PutLe(std::string* out, uint64_t v, size_t n) { AppendLe(out, v, n); }

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

  asio::awaitable<void> Continue(const ProbeContext& ctx, Conversation& conv, FirstReply& first,
                                 ProbeResult* result) const override {
    Smb2NegotiateResponse r = ParseSmb2Negotiate(first.bytes);
    const bool offers_ntlm =
        std::find(r.mechanisms.begin(), r.mechanisms.end(), "NTLMSSP") != r.mechanisms.end();
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
    if (r.well_formed && (offers_ntlm || r.mechanisms.empty())) co_await AskNtlmChallenge(ctx, conv);
  }

 private:
  // SESSION_SETUP with an NTLMSSP NEGOTIATE: the CHALLENGE names the host.
  // The session is left there (no AUTHENTICATE); the connection is closed.
  static asio::awaitable<void> AskNtlmChallenge(const ProbeContext& ctx, Conversation& conv) {
    if (!co_await SendBytes(conv, Smb2SessionSetupRequest())) co_return;
    std::string bytes;
    ReadOutcome outcome = co_await ReadReply(conv, &bytes, kMaxMessage + 4, [](std::string_view b) {
      return ParseSmb2SessionSetup(b).complete;
    });
    if (bytes.empty()) co_return;
    Smb2SessionSetupReply reply = ParseSmb2SessionSetup(bytes);
    nlohmann::json data = {{"timed_out", outcome.timed_out}, {"truncated", outcome.truncated}};
    NtlmChallenge c = FindNtlmChallenge(reply.security_blob);
    if (reply.well_formed) data["status"] = reply.status;
    if (c.well_formed) {
      if (c.has_version) {
        data["os_version"] = std::to_string(c.version_major) + "." + std::to_string(c.version_minor) +
                             "." + std::to_string(c.version_build);
        data["os_major"] = c.version_major;
        data["os_minor"] = c.version_minor;
        data["os_build"] = c.version_build;
        data["ntlm_revision"] = c.ntlm_revision;
      }
      auto put = [&](const char* key, const std::string& v) {
        if (!v.empty()) data[key] = EvidenceText(v, 256);
      };
      put("target_name", c.target_name);
      put("netbios_computer", c.netbios_computer);
      put("netbios_domain", c.netbios_domain);
      put("dns_computer", c.dns_computer);
      put("dns_domain", c.dns_domain);
      put("dns_tree", c.dns_tree);
      if (c.timestamp != 0) data["system_time"] = FileTimeUtc(c.timestamp);
      data["target_info_truncated"] = c.target_info_truncated;
    } else {
      data["error"] = reply.status == kStatusMoreProcessing ? "no NTLMSSP CHALLENGE in the answer"
                                                            : "session setup refused";
    }
    RecordProbe(ctx, "smb-ntlm", std::move(data), std::move(bytes));
  }
};

// An SMB2 header (MS-SMB2 2.2.1.2) for `command` with `message_id`.
std::string Smb2Header(uint16_t command, uint64_t message_id) {
  std::string smb = "\xfeSMB";
  PutLe(&smb, kHeader, 2);  // StructureSize
  PutLe(&smb, 0, 2);        // CreditCharge
  PutLe(&smb, 0, 4);        // Status
  PutLe(&smb, command, 2);
  PutLe(&smb, 1, 2);        // CreditRequest
  PutLe(&smb, 0, 4);        // Flags
  PutLe(&smb, 0, 4);        // NextCommand
  PutLe(&smb, message_id, 8);
  PutLe(&smb, 0, 4);        // Reserved (ProcessId)
  PutLe(&smb, 0, 4);        // TreeId
  PutLe(&smb, 0, 8);        // SessionId
  smb.append(16, '\0');     // Signature
  return smb;
}

// A NetBIOS session message (24-bit length) around `smb`.
std::string NetbiosFrame(const std::string& smb) {
  std::string out(1, '\0');
  out.push_back(static_cast<char>((smb.size() >> 16) & 0xff));
  out.push_back(static_cast<char>((smb.size() >> 8) & 0xff));
  out.push_back(static_cast<char>(smb.size() & 0xff));
  return out + smb;
}

// The SMB message of one NetBIOS session message in `b`. Returns false while
// more bytes are needed; true with *message empty when `b` cannot be one.
bool SessionMessage(std::string_view b, std::string_view* message) {
  *message = {};
  if (!b.empty() && b[0] != '\0') return true;  // not a session message
  if (b.size() < 4) return false;
  size_t length = static_cast<size_t>(static_cast<uint8_t>(b[1])) << 16 |
                  static_cast<size_t>(static_cast<uint8_t>(b[2])) << 8 | static_cast<uint8_t>(b[3]);
  if (length > kMaxMessage || length < 4) return true;
  if (b.size() - 4 < length) return false;
  *message = b.substr(4, length);
  return true;
}

}  // namespace

std::string Smb2NegotiateRequest() {
  std::string smb = Smb2Header(0, 0);  // NEGOTIATE
  PutLe(&smb, 36, 2);       // StructureSize
  PutLe(&smb, std::size(kDialects), 2);
  PutLe(&smb, 1, 2);        // SecurityMode: signing enabled
  PutLe(&smb, 0, 2);        // Reserved
  PutLe(&smb, 0, 4);        // Capabilities
  smb += std::string_view("ciiscope-probe\x00\x01", 16);  // ClientGuid
  PutLe(&smb, 0, 8);        // ClientStartTime
  for (uint16_t d : kDialects) PutLe(&smb, d, 2);
  return NetbiosFrame(smb);
}

std::string Smb2SessionSetupRequest() {
  const std::string token = SpnegoNtlmNegotiate();
  std::string smb = Smb2Header(1, 1);  // SESSION_SETUP, the second message
  PutLe(&smb, 25, 2);                  // StructureSize
  PutLe(&smb, 0, 1);                   // Flags
  PutLe(&smb, 1, 1);                   // SecurityMode: signing enabled
  PutLe(&smb, 0, 4);                   // Capabilities
  PutLe(&smb, 0, 4);                   // Channel
  PutLe(&smb, kHeader + 24, 2);        // SecurityBufferOffset
  PutLe(&smb, token.size(), 2);        // SecurityBufferLength
  PutLe(&smb, 0, 8);                   // PreviousSessionId
  return NetbiosFrame(smb + token);
}

Smb2SessionSetupReply ParseSmb2SessionSetup(std::string_view b) {
  Smb2SessionSetupReply r;
  std::string_view m;
  r.complete = SessionMessage(b, &m);
  if (!r.complete || !m.starts_with("\xfeSMB") || m.size() < kHeader + 8) return r;
  if (Le(m, 12, 2) != 1) return r;  // not SESSION_SETUP
  r.well_formed = true;
  r.status = static_cast<uint32_t>(Le(m, 8, 4));
  const size_t offset = Le(m, kHeader + 4, 2), length = Le(m, kHeader + 6, 2);
  if (offset >= kHeader && offset <= m.size() && length <= m.size() - offset) {
    r.security_blob = std::string(m.substr(offset, length));
  }
  return r;
}

Smb2NegotiateResponse ParseSmb2Negotiate(std::string_view b) {
  Smb2NegotiateResponse r;
  std::string_view m;
  r.complete = SessionMessage(b, &m);
  if (!r.complete || m.empty()) return r;
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
