// Pure parsers of the LDAP, RDP, SMB and DNS probes (issue 4) over crafted
// bytes, without a network: each reply is fed at every split point and must
// complete only once whole; hostile lengths stay inside the bytes given.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "smb_replies.h"
#include "split_feed.h"
#include "scanner/probes/common/ber.h"
#include "scanner/probes/dns/dns_probe.h"
#include "scanner/probes/ldap/ldap_probe.h"
#include "scanner/probes/rdp/rdp_probe.h"
#include "scanner/probes/smb/ntlm_challenge.h"
#include "scanner/probes/smb/smb_probe.h"

namespace ciiscope::scanner {
namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int v : b) s.push_back(static_cast<char>(v));
  return s;
}

void PutLe(std::string* out, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// --- BER ---

TEST(BerTest, RoundTripsIntegersOidsAndLongLengths) {
  for (int64_t v : {0LL, 1LL, 127LL, 128LL, 255LL, 256LL, -1LL, -129LL, 1LL << 40}) {
    BerTlv t;
    const std::string encoded = BerEncodeInteger(0x02, v);  // t views into it
    ASSERT_EQ(ReadBer(encoded, &t), BerStatus::kOk);
    int64_t back = 0;
    ASSERT_TRUE(BerInteger(t.value, &back));
    EXPECT_EQ(back, v);
  }
  BerTlv t;
  const std::string oid = BerEncodeOid("1.3.6.1.2.1.1.1.0");
  ASSERT_EQ(ReadBer(oid, &t), BerStatus::kOk);
  EXPECT_EQ(BerOid(t.value), "1.3.6.1.2.1.1.1.0");
  EXPECT_EQ(BerOid(std::string_view("\x2b\x06\x01\x04\x01\x82\x37", 7)), "1.3.6.1.4.1.311");
  std::string big(300, 'x');
  std::string enc = BerEncode(0x04, big);
  EXPECT_EQ(enc.substr(0, 4), Bytes({0x04, 0x82, 0x01, 0x2c}));
  ExpectCompleteOnlyWhole(enc, [](std::string_view b) {
    struct Done {
      bool complete;
    };
    BerTlv x;
    return Done{ReadBer(b, &x) == BerStatus::kOk};
  });
}

TEST(BerTest, RefusesIndefiniteAndHugeLengths) {
  BerTlv t;
  EXPECT_EQ(ReadBer(Bytes({0x30, 0x80, 0, 0}), &t), BerStatus::kBad);
  EXPECT_EQ(ReadBer(Bytes({0x30, 0x85, 1, 1, 1, 1, 1}), &t), BerStatus::kBad);
  EXPECT_EQ(ReadBer(Bytes({0x1f, 0x01, 0}), &t), BerStatus::kBad);
  // A 4 GiB claim with 10 bytes present is incomplete, never a read past the end.
  EXPECT_EQ(ReadBer(Bytes({0x04, 0x84, 0xff, 0xff, 0xff, 0xff, 'a', 'b'}), &t), BerStatus::kNeedMore);
  EXPECT_EQ(BerOid(Bytes({0x81, 0x82})), "");  // unterminated sub-identifier
}

// --- LDAP ---

std::string LdapMessage(int id, uint8_t op, const std::string& contents) {
  return BerEncode(0x30, BerEncodeInteger(0x02, id) + BerEncode(op, contents));
}

std::string Attribute(const std::string& type, std::initializer_list<std::string> values) {
  std::string vals;
  for (const auto& v : values) vals += BerEncode(0x04, v);
  return BerEncode(0x30, BerEncode(0x04, type) + BerEncode(0x31, vals));
}

std::string OpenLdapRootDse() {
  std::string attrs = Attribute("objectClass", {"top", "OpenLDAProotDSE"}) +
                      Attribute("namingContexts", {"dc=demo,dc=edu,dc=cn"}) +
                      Attribute("supportedLDAPVersion", {"3"});
  std::string entry = LdapMessage(1, 0x64, BerEncode(0x04, "") + BerEncode(0x30, attrs));
  std::string done = LdapMessage(
      1, 0x65, BerEncodeInteger(0x0a, 0) + BerEncode(0x04, "") + BerEncode(0x04, ""));
  return entry + done;
}

TEST(LdapRootDseTest, ParsesEntryThenDoneAtAnySplit) {
  std::string whole = OpenLdapRootDse();
  ExpectCompleteOnlyWhole(whole, ParseLdapRootDse);
  LdapRootDse dse = ParseLdapRootDse(whole);
  EXPECT_TRUE(dse.well_formed);
  EXPECT_EQ(dse.result_code, 0);
  ASSERT_EQ(dse.attributes["objectClass"].size(), 2u);
  EXPECT_EQ(dse.attributes["objectClass"][1], "OpenLDAProotDSE");
  EXPECT_EQ(dse.attributes["namingContexts"][0], "dc=demo,dc=edu,dc=cn");
}

TEST(LdapRootDseTest, RequestIsOneWellFormedSearch) {
  std::string req = LdapRootDseRequest();
  BerTlv msg;
  ASSERT_EQ(ReadBer(req, &msg), BerStatus::kOk);
  EXPECT_EQ(msg.total, req.size());
  BerReader r(msg.value);
  BerTlv id, op;
  ASSERT_TRUE(r.Next(&id));
  ASSERT_TRUE(r.Next(&op));
  EXPECT_EQ(op.tag, 0x63);  // SearchRequest
}

TEST(LdapRootDseTest, NonLdapAndErrorsEndTheRead) {
  EXPECT_TRUE(ParseLdapRootDse("HTTP/1.1 400 Bad Request\r\n").complete);
  EXPECT_FALSE(ParseLdapRootDse("HTTP/1.1 400 Bad Request\r\n").well_formed);
  // An operations error (e.g. AD refusing) is still LDAP.
  std::string err = LdapMessage(1, 0x65, BerEncodeInteger(0x0a, 1) + BerEncode(0x04, "") +
                                             BerEncode(0x04, "000004DC: LdapErr"));
  LdapRootDse dse = ParseLdapRootDse(err);
  EXPECT_TRUE(dse.complete);
  EXPECT_TRUE(dse.well_formed);
  EXPECT_EQ(dse.result_code, 1);
  EXPECT_EQ(dse.diagnostic, "000004DC: LdapErr");
}

// --- RDP ---

std::string RdpConfirm(uint8_t type, uint32_t value) {
  std::string s = Bytes({0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0, 0, 0x12, 0x34, 0x00});
  s.push_back(static_cast<char>(type));
  s.push_back(0x1f);  // flags
  s += Bytes({0x08, 0x00});
  PutLe(&s, value, 4);
  return s;
}

TEST(RdpTest, ParsesNegotiationResponseAtAnySplit) {
  std::string whole = RdpConfirm(0x02, 2);
  ExpectCompleteOnlyWhole(whole, ParseRdpConnectionConfirm);
  RdpConnectionConfirm cc = ParseRdpConnectionConfirm(whole);
  EXPECT_TRUE(cc.well_formed);
  EXPECT_TRUE(cc.has_negotiation);
  EXPECT_FALSE(cc.failure);
  EXPECT_EQ(cc.selected_protocol, 2u);
  EXPECT_EQ(RdpProtocolName(cc.selected_protocol), "hybrid");
}

TEST(RdpTest, ParsesFailureLegacyAndGarbage) {
  RdpConnectionConfirm f = ParseRdpConnectionConfirm(RdpConfirm(0x03, 5));
  EXPECT_TRUE(f.failure);
  EXPECT_EQ(f.failure_code, 5u);
  // A pre-negotiation server: bare Connection Confirm (11 bytes).
  RdpConnectionConfirm legacy =
      ParseRdpConnectionConfirm(Bytes({0x03, 0, 0, 0x0b, 0x06, 0xd0, 0, 0, 0x12, 0x34, 0}));
  EXPECT_TRUE(legacy.well_formed);
  EXPECT_FALSE(legacy.has_negotiation);
  EXPECT_TRUE(ParseRdpConnectionConfirm("SSH-2.0-x\r\n").complete);
  EXPECT_FALSE(ParseRdpConnectionConfirm("SSH-2.0-x\r\n").well_formed);
  // A TPKT that claims 65535 bytes is refused, not awaited.
  EXPECT_TRUE(ParseRdpConnectionConfirm(Bytes({0x03, 0, 0xff, 0xff})).complete);
  // An LI that points past the PDU.
  EXPECT_FALSE(
      ParseRdpConnectionConfirm(Bytes({0x03, 0, 0, 0x0b, 0x7f, 0xd0, 0, 0, 0, 0, 0})).well_formed);
  std::string req = RdpConnectionRequest();
  EXPECT_EQ(req.size(), 19u);
  EXPECT_EQ(static_cast<uint8_t>(req[3]), 19);
}

// --- SMB ---

using smbtest::SmbNegotiateResponse;

TEST(SmbTest, ParsesNegotiateResponseAtAnySplit) {
  std::string whole = SmbNegotiateResponse(0x0302, 0x01);
  ExpectCompleteOnlyWhole(whole, ParseSmb2Negotiate);
  Smb2NegotiateResponse r = ParseSmb2Negotiate(whole);
  ASSERT_TRUE(r.well_formed);
  EXPECT_EQ(SmbDialectName(r.dialect), "3.0.2");
  EXPECT_EQ(r.security_mode, 1);
  EXPECT_EQ(r.server_guid, "12345678-1234-5678-0102-030405060708");
  EXPECT_EQ(r.max_read_size, 8388608u);
  EXPECT_EQ(FileTimeUtc(r.system_time).substr(0, 10), "2022-06-18");
  ASSERT_EQ(r.mechanisms.size(), 2u);
  EXPECT_EQ(r.mechanisms[0], "NTLMSSP");
  EXPECT_EQ(r.mechanisms[1], "MS-Kerberos");
}

TEST(SmbTest, Smb1ErrorsAndHostileLengths) {
  std::string smb1 = Bytes({0, 0, 0, 8}) + "\xffSMB" + Bytes({0x72, 0, 0, 0});
  Smb2NegotiateResponse r1 = ParseSmb2Negotiate(smb1);
  EXPECT_TRUE(r1.smb1);
  EXPECT_FALSE(r1.well_formed);
  // A session message that claims 16 MiB is refused at once.
  EXPECT_TRUE(ParseSmb2Negotiate(Bytes({0, 0xff, 0xff, 0xff})).complete);
  // A blob offset past the end is ignored, not read.
  std::string whole = SmbNegotiateResponse(0x0210, 0x03);
  whole[4 + 64 + 56] = static_cast<char>(0xff);
  whole[4 + 64 + 57] = static_cast<char>(0x7f);
  Smb2NegotiateResponse r = ParseSmb2Negotiate(whole);
  EXPECT_TRUE(r.well_formed);
  EXPECT_TRUE(r.mechanisms.empty());
  EXPECT_EQ(SmbDialectName(r.dialect), "2.1");
  EXPECT_TRUE(ParseSmb2Negotiate("HTTP/1.0 400\r\n").complete);
  EXPECT_EQ(FileTimeUtc(0), "");
  EXPECT_EQ(FileTimeUtc(~0ULL), "");
  std::string req = Smb2NegotiateRequest();
  EXPECT_EQ(req.size(), 4u + 64 + 36 + 8);
}

TEST(NtlmTest, ParsesTheMsNlmpExampleChallenge) {
  NtlmChallenge c = ParseNtlmChallenge(smbtest::NlmpExampleChallenge());
  ASSERT_TRUE(c.well_formed);
  EXPECT_EQ(c.flags, 0xe28a8233u);
  EXPECT_EQ(c.target_name, "Server");
  EXPECT_EQ(c.netbios_domain, "Domain");
  EXPECT_EQ(c.netbios_computer, "Server");
  ASSERT_TRUE(c.has_version);
  EXPECT_EQ(c.version_major, 6);
  EXPECT_EQ(c.version_minor, 0);
  EXPECT_EQ(c.version_build, 6000);
  EXPECT_EQ(c.ntlm_revision, 15);
  EXPECT_FALSE(c.target_info_truncated);
  // Found inside a SPNEGO answer, as the probe sees it.
  Smb2SessionSetupReply reply =
      ParseSmb2SessionSetup(smbtest::SmbSessionSetupResponse(smbtest::NlmpExampleChallenge()));
  ASSERT_TRUE(reply.well_formed);
  EXPECT_EQ(reply.status, 0xc0000016u);
  EXPECT_EQ(FindNtlmChallenge(reply.security_blob).netbios_domain, "Domain");
}

TEST(NtlmTest, SessionSetupIsReadOnlyAndCompleteOnlyWhole) {
  const std::string req = Smb2SessionSetupRequest();
  EXPECT_NE(req.find(std::string("NTLMSSP\0\x01\0\0\0", 12)), std::string::npos);  // NEGOTIATE
  EXPECT_EQ(req.find(std::string("NTLMSSP\0\x03", 9)), std::string::npos);           // never AUTHENTICATE
  ExpectCompleteOnlyWhole(smbtest::SmbSessionSetupResponse(smbtest::NlmpExampleChallenge()),
                          ParseSmb2SessionSetup);
}

TEST(NtlmTest, HostileChallengesStayInBounds) {
  const std::string whole = smbtest::NlmpExampleChallenge();
  for (size_t i = 0; i < whole.size(); ++i) {
    NtlmChallenge c = ParseNtlmChallenge(whole.substr(0, i));
    if (i < 48) {
      EXPECT_FALSE(c.well_formed) << i;
    }
  }
  std::string lying = whole;
  lying[40] = static_cast<char>(0xff);  // target info length 0x24ff past the end
  lying[41] = 0x24;
  NtlmChallenge l = ParseNtlmChallenge(lying);
  EXPECT_TRUE(l.well_formed);
  EXPECT_TRUE(l.netbios_domain.empty());
  EXPECT_TRUE(l.target_info_truncated);
  std::string av = whole;
  av[0x44 + 2] = 0x7f;  // the first AV pair claims 127 bytes
  NtlmChallenge a = ParseNtlmChallenge(av);
  EXPECT_TRUE(a.target_info_truncated);
  EXPECT_TRUE(a.netbios_domain.empty());
  std::string offset = whole;
  offset[16] = static_cast<char>(0xf0);  // target name offset far outside
  offset[19] = 0x7f;
  EXPECT_TRUE(ParseNtlmChallenge(offset).target_name.empty());
  EXPECT_FALSE(ParseNtlmChallenge("NTLMSSP").well_formed);
  EXPECT_FALSE(FindNtlmChallenge("garbage NTLMSSP\0 more").well_formed);
  // UTF-16: an odd byte, a lone surrogate and a pair.
  EXPECT_EQ(Utf16LeToUtf8(std::string("A\0B", 3)), "A\xef\xbf\xbd");
  EXPECT_EQ(Utf16LeToUtf8(std::string("\x00\xd8" "A\0", 4)), "\xef\xbf\xbd" "A");
  EXPECT_EQ(Utf16LeToUtf8(std::string("\x3d\xd8\x00\xde", 4)), "\xf0\x9f\x98\x80");
  EXPECT_EQ(Utf16LeToUtf8(std::string(2000, 'a'), 10).size(), 10u * 3);  // capped code points
}

// --- DNS ---

std::string DnsVersionAnswer(const std::string& version, uint16_t id = kDnsVersionQueryId) {
  std::string m;
  m.push_back(static_cast<char>(id >> 8));
  m.push_back(static_cast<char>(id & 0xff));
  m += Bytes({0x84, 0x00, 0, 1, 0, 1, 0, 0, 0, 0});  // QR AA, 1 question, 1 answer
  m += DnsVersionQuery().substr(12);                  // the question
  m += Bytes({0xc0, 0x0c, 0, 16, 0, 3, 0, 0, 0, 0});  // pointer, TXT, CH, TTL 0
  m.push_back(0);
  m.push_back(static_cast<char>(version.size() + 1));
  m.push_back(static_cast<char>(version.size()));
  m += version;
  return m;
}

TEST(DnsVersionTest, ParsesUdpAndTcpAnswers) {
  std::string m = DnsVersionAnswer("9.18.28-1~deb12u2-Debian");
  DnsVersionReply r = ParseDnsVersionReply(m);
  ASSERT_TRUE(r.well_formed);
  EXPECT_TRUE(r.authoritative);
  EXPECT_EQ(r.rcode, 0);
  EXPECT_EQ(r.version, "9.18.28-1~deb12u2-Debian");
  std::string tcp = Bytes({0, static_cast<int>(m.size())}) + m;
  ExpectCompleteOnlyWhole(tcp, ParseDnsVersionReplyTcp);
  EXPECT_EQ(ParseDnsVersionReplyTcp(tcp).version, "9.18.28-1~deb12u2-Debian");
}

TEST(DnsVersionTest, RefusedForeignIdAndPointerLoops) {
  std::string refused = DnsVersionAnswer("x");
  refused[3] = 0x05;  // REFUSED
  refused[7] = 0;     // no answers
  DnsVersionReply r = ParseDnsVersionReply(refused);
  EXPECT_TRUE(r.well_formed);
  EXPECT_EQ(DnsRcodeName(r.rcode), "REFUSED");
  EXPECT_FALSE(r.has_version);
  EXPECT_FALSE(ParseDnsVersionReply(DnsVersionAnswer("x", 0x1234)).well_formed);
  // A question whose name is labels forever (no terminator) ends safely.
  std::string loop = Bytes({0x63, 0x69, 0x80, 0, 0, 1, 0, 1, 0, 0, 0, 0});
  for (int i = 0; i < 40; ++i) loop += Bytes({1, 'a'});
  EXPECT_FALSE(ParseDnsVersionReply(loop).has_version);
  // An rdlength past the end.
  std::string cut = DnsVersionAnswer("abc");
  cut.resize(cut.size() - 2);
  EXPECT_FALSE(ParseDnsVersionReply(cut).has_version);
  EXPECT_EQ(DnsVersionQuery().size(), 12u + 14 + 4);
}

}  // namespace
}  // namespace ciiscope::scanner
