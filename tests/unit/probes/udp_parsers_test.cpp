// UDP probes (issue 4) without a network: the requests they send, and their
// interpretation of answers — well-formed ones, every truncation, hostile
// lengths and random bytes (nothing reads outside the datagram; ASan checks).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>

#include "scanner/probes/common/ber.h"
#include "scanner/probes/dns/dns_probe.h"
#include "scanner/probes/ntp/ntp_probe.h"
#include "scanner/probes/snmp/snmp_probe.h"
#include "scanner/probes/udp_probe.h"

namespace ciiscope::scanner {
namespace {

// A GetResponse as an agent sends it (BER built with the probe's own encoder).
std::string SnmpResponse(int64_t version, int64_t id, std::string_view descr, std::string_view oid,
                         std::string_view name, std::string_view community = "public") {
  auto bind = [](std::string_view o, const std::string& value) {
    return BerEncode(0x30, BerEncodeOid(o) + value);
  };
  std::string binds = bind("1.3.6.1.2.1.1.1.0", BerEncode(0x04, descr)) +
                      bind("1.3.6.1.2.1.1.2.0", BerEncodeOid(oid)) +
                      bind("1.3.6.1.2.1.1.5.0", BerEncode(0x04, name));
  std::string pdu = BerEncodeInteger(0x02, id) + BerEncodeInteger(0x02, 0) + BerEncodeInteger(0x02, 0) +
                    BerEncode(0x30, binds);
  return BerEncode(0x30, BerEncodeInteger(0x02, version) + BerEncode(0x04, community) +
                             BerEncode(0xa2, pdu));
}

std::string NtpServerReply(int stratum, std::string_view refid, bool echo) {
  std::string p(48, '\0');
  p[0] = 0x24;  // LI 0, version 4, mode 4
  p[1] = static_cast<char>(stratum);
  p[2] = 6;
  p[3] = static_cast<char>(-23);
  p[4] = 0, p[5] = 0, p[6] = 0x01, p[7] = 0x00;  // root delay 1/256 s
  p.replace(12, refid.size(), refid);
  if (echo) p.replace(24, kNtpNonce.size(), kNtpNonce);
  return p;
}

std::string NtpControlAnswer(std::string_view vars, uint16_t seq = kNtpControlSequence, int flags = 0x82) {
  std::string p(12, '\0');
  p[0] = 0x16;
  p[1] = static_cast<char>(flags);
  p[2] = static_cast<char>(seq >> 8);
  p[3] = static_cast<char>(seq & 0xff);
  p[10] = static_cast<char>(vars.size() >> 8);
  p[11] = static_cast<char>(vars.size() & 0xff);
  return p + std::string(vars);
}

TEST(SnmpProbeTest, RequestIsAGetRequestForTheSystemGroup) {
  const std::string v2 = SnmpGetRequest(1);
  BerTlv msg;
  ASSERT_EQ(ReadBer(v2, &msg), BerStatus::kOk);
  EXPECT_EQ(msg.total, v2.size());
  EXPECT_NE(v2.find("public"), std::string::npos);
  EXPECT_EQ(static_cast<uint8_t>(v2[v2.find("public") + 6]), 0xa0);  // GetRequest, never Set
  EXPECT_NE(SnmpGetRequest(0), v2);
}

TEST(SnmpProbeTest, ParsesNetSnmpAndVendorAnswers) {
  SnmpReply r = ParseSnmpReply(SnmpResponse(1, kSnmpV2cRequestId,
                                            "Linux lab-srv 6.1.0-18-amd64 #1 SMP Debian x86_64",
                                            "1.3.6.1.4.1.8072.3.2.10", "lab-srv"));
  ASSERT_TRUE(r.well_formed);
  EXPECT_EQ(r.version, 1);
  EXPECT_EQ(r.sysdescr, "Linux lab-srv 6.1.0-18-amd64 #1 SMP Debian x86_64");
  EXPECT_EQ(r.sysobjectid, "1.3.6.1.4.1.8072.3.2.10");
  EXPECT_EQ(r.sysname, "lab-srv");

  auto probe = MakeSnmpProbe();
  auto f = probe->Interpret(SnmpResponse(0, kSnmpV1RequestId, "H3C Comware Platform Software",
                                         "1.3.6.1.4.1.25506.1.1", "core-sw"));
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->probe, "snmp");
  EXPECT_EQ(f->data["snmp_version"], "v1");
  EXPECT_EQ(f->data["enterprise"], 25506);
  EXPECT_EQ(f->data["enterprise_name"], "h3c");
  EXPECT_EQ(f->data["sysname"], "core-sw");
}

TEST(SnmpProbeTest, RejectsOtherIdsVersionsAndPdus) {
  EXPECT_FALSE(ParseSnmpReply(SnmpResponse(1, 12345, "x", "1.3.6.1.4.1.9.1.1", "n")).well_formed);
  EXPECT_FALSE(ParseSnmpReply(SnmpResponse(3, kSnmpV2cRequestId, "x", "1.3", "n")).well_formed);
  // the v1 id in a v2c message is not our v2c request
  EXPECT_FALSE(ParseSnmpReply(SnmpResponse(1, kSnmpV1RequestId, "x", "1.3", "n")).well_formed);
  EXPECT_FALSE(ParseSnmpReply(SnmpGetRequest(1)).well_formed);  // our own request echoed
}

TEST(SnmpProbeTest, EveryTruncationAndHostileLengthIsRejectedInBounds) {
  const std::string whole = SnmpResponse(1, kSnmpV2cRequestId, std::string(300, 'd'),
                                         "1.3.6.1.4.1.2011.2.23", "huawei-sw");
  for (size_t i = 0; i < whole.size(); ++i) {
    EXPECT_FALSE(ParseSnmpReply(whole.substr(0, i)).well_formed) << i;
  }
  // Outer length claims 4 GiB; an inner OCTET STRING claims more than is there.
  std::string huge = whole;
  huge[1] = static_cast<char>(0x84);
  EXPECT_FALSE(ParseSnmpReply(huge).well_formed);
  std::string lying = SnmpResponse(1, kSnmpV2cRequestId, "abc", "1.3.6.1.4.1.9.1.1", "n");
  size_t at = lying.find("abc");
  lying[at - 1] = 0x7f;  // sysDescr length past the end of its varbind
  SnmpReply r = ParseSnmpReply(lying);
  EXPECT_FALSE(r.has_sysdescr);
  // A sysDescr of 60 KB is capped.
  SnmpReply big = ParseSnmpReply(SnmpResponse(1, kSnmpV2cRequestId, std::string(60000, 'A'),
                                              "1.3.6.1.4.1.9.1.1", "n"));
  ASSERT_TRUE(big.well_formed);
  EXPECT_LE(big.sysdescr.size(), 1024u);
}

TEST(DnsUdpProbeTest, AsksVersionAndRootAndTellsAnswersApart) {
  auto probe = MakeDnsUdpProbe();
  auto requests = probe->Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0], DnsVersionQuery());
  EXPECT_EQ(requests[1], DnsRootQuery());

  std::string version = DnsVersionQuery();
  version[2] = static_cast<char>(0x84);  // QR, AA
  version[7] = 1;                        // one answer
  // name pointer, TXT, CH, TTL 0, rdlength 15, one 14-byte string
  version += std::string("\xc0\x0c\x00\x10\x00\x03\x00\x00\x00\x00\x00\x0f\x0e", 13) + "unbound 1.17.1";
  auto f = probe->Interpret(version);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->probe, "dns-version");
  EXPECT_EQ(f->data["version"], "unbound 1.17.1");
  EXPECT_EQ(f->data["transport"], "udp");

  std::string root = DnsRootQuery();
  root[2] = static_cast<char>(0x81);  // QR, RD
  root[3] = static_cast<char>(0x80);  // RA, NOERROR
  root[7] = 13;                       // 13 answers (header only: counts are data)
  auto g = probe->Interpret(root);
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->probe, "dns-root");
  EXPECT_EQ(g->data["recursion_available"], true);
  EXPECT_EQ(g->data["answers"], 13);
  EXPECT_FALSE(probe->Interpret(DnsRootQuery()).has_value());  // a query, not a response
  EXPECT_FALSE(probe->Interpret(std::string(11, '\xff')).has_value());
}

TEST(NtpProbeTest, ClientRequestAndServerReply) {
  const std::string req = NtpClientRequest();
  ASSERT_EQ(req.size(), 48u);
  EXPECT_EQ(req[0], 0x23);
  EXPECT_EQ(NtpReadVarRequest().size(), 12u);
  EXPECT_EQ(NtpReadVarRequest()[0] & 7, 6);  // mode 6; never mode 7 (monlist)

  NtpReply r = ParseNtpReply(NtpServerReply(2, std::string("\xc0\x00\x02\x01", 4), true));
  ASSERT_TRUE(r.well_formed);
  EXPECT_EQ(r.version, 4);
  EXPECT_EQ(r.mode, 4);
  EXPECT_EQ(r.stratum, 2);
  EXPECT_EQ(r.refid, "192.0.2.1");
  EXPECT_EQ(r.precision, -23);
  EXPECT_TRUE(r.origin_matches);
  EXPECT_NEAR(r.root_delay_ms, 3.90625, 1e-6);

  NtpReply unsynced = ParseNtpReply(NtpServerReply(16, "INIT", false));
  ASSERT_TRUE(unsynced.well_formed);
  EXPECT_FALSE(unsynced.origin_matches);
  EXPECT_EQ(unsynced.refid, "INIT");  // stratum 16 (unsynchronized): a kiss code
  NtpReply gps = ParseNtpReply(NtpServerReply(1, "GPS", true));
  EXPECT_EQ(gps.refid, "GPS");

  EXPECT_FALSE(ParseNtpReply(req).well_formed);  // a client request is not a reply
  for (size_t i = 0; i < 48; ++i) EXPECT_FALSE(ParseNtpReply(NtpServerReply(2, "abcd", true).substr(0, i)).well_formed);
}

TEST(NtpProbeTest, ReadVarVariablesAndHostileCounts) {
  const std::string vars =
      "version=\"ntpd 4.2.8p15@1.3728-o Wed Sep 23 11:46:38 UTC 2020 (1)\", processor=\"x86_64\", "
      "system=\"Linux/6.1.0-18-amd64\", leap=11, stratum=16, precision=-24, refid=INIT";
  NtpControlReply c = ParseNtpControlReply(NtpControlAnswer(vars));
  ASSERT_TRUE(c.well_formed);
  EXPECT_EQ(c.version, "ntpd 4.2.8p15@1.3728-o Wed Sep 23 11:46:38 UTC 2020 (1)");
  EXPECT_EQ(c.system, "Linux/6.1.0-18-amd64");
  EXPECT_EQ(c.processor, "x86_64");
  EXPECT_EQ(NtpVariable(vars, "refid"), "INIT");
  EXPECT_EQ(NtpVariable(vars, "stratum"), "16");
  EXPECT_EQ(NtpVariable(vars, "absent"), "");
  EXPECT_EQ(NtpVariable("a, b=\"unterminated", "b"), "unterminated");
  EXPECT_EQ(NtpVariable(",,,=,==\"", "x"), "");

  std::string lying = NtpControlAnswer("version=\"ntpsec-1.2.2\"");
  lying[10] = static_cast<char>(0xff);  // count 65535 over 22 bytes
  lying[11] = static_cast<char>(0xff);
  NtpControlReply l = ParseNtpControlReply(lying);
  ASSERT_TRUE(l.well_formed);
  EXPECT_EQ(l.version, "ntpsec-1.2.2");
  EXPECT_FALSE(ParseNtpControlReply(NtpControlAnswer(vars, 0x1234)).well_formed);  // not our sequence
  EXPECT_FALSE(ParseNtpControlReply(NtpReadVarRequest()).well_formed);            // no response bit

  auto probe = MakeNtpProbe();
  auto f = probe->Interpret(NtpControlAnswer("version=\"ntpsec-1.2.2 2023-05-04T11:06:44Z\""));
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->probe, "ntp-readvar");
  EXPECT_EQ(f->data["version"], "ntpsec-1.2.2 2023-05-04T11:06:44Z");
  auto g = probe->Interpret(NtpServerReply(3, std::string("\x0a\x00\x00\x01", 4), true));
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->probe, "ntp");
  EXPECT_EQ(g->data["synchronized"], true);
}

TEST(UdpProbesTest, RandomDatagramsNeverCrashOrReadOutside) {
  UdpProbeRegistry registry;
  RegisterBuiltinUdpProbes(registry);
  ASSERT_EQ(registry.All().size(), 3u);
  EXPECT_EQ(registry.ForPort(161).size(), 1u);
  EXPECT_EQ(registry.ForPort(40000).size(), 3u);  // unhinted: every probe
  std::mt19937 rng(4);
  const std::string seeds[] = {SnmpResponse(1, kSnmpV2cRequestId, "d", "1.3.6.1.4.1.9.1", "n"),
                               NtpServerReply(2, "abcd", true), NtpControlAnswer("version=\"x\""),
                               DnsRootQuery()};
  for (int round = 0; round < 20000; ++round) {
    std::string d = seeds[round % 4];
    const int flips = 1 + static_cast<int>(rng() % 8);
    for (int i = 0; i < flips && !d.empty(); ++i) d[rng() % d.size()] = static_cast<char>(rng());
    if (rng() % 4 == 0) d.resize(rng() % (d.size() + 1));
    for (const UdpProbe* p : registry.All()) (void)p->Interpret(d);
  }
}

}  // namespace
}  // namespace ciiscope::scanner
