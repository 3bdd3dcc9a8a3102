#include <gtest/gtest.h>

#include "passive_packets.h"
#include "scanner/passive/app_protocols.h"
#include "scanner/passive/tls_hello.h"

namespace ciiscope::scanner::passive {
namespace {

using testing::AsBytes;

TEST(TlsHelloTest, ClientHelloSniAndJa3) {
  const std::string hello = testing::ClientHello("www.example.edu");
  ClientHelloInfo info;
  ASSERT_EQ(ParseClientHello(AsBytes(hello), info), TlsParse::kDone);
  EXPECT_EQ(info.sni, "www.example.edu");
  // GREASE cipher and extension are left out.
  EXPECT_EQ(info.ja3, "771,4865-4866-49199,0-10-11,29-23,0");
  EXPECT_EQ(info.ja3_md5, Md5Hex(info.ja3));
  EXPECT_EQ(info.ja3_md5.size(), 32u);
  // Every strict prefix asks for more; never reads past the end.
  for (size_t n = 0; n < hello.size(); ++n) {
    ClientHelloInfo partial;
    EXPECT_EQ(ParseClientHello(AsBytes(hello).first(n), partial), TlsParse::kNeedMore) << n;
  }
}

TEST(TlsHelloTest, ServerHelloWithCertificate) {
  const std::string der = testing::SelfSignedCertDer("portal.example.edu");
  const std::string hello = testing::ServerHello(0x0303, 0xC02F, der);
  ServerHelloInfo info;
  ASSERT_EQ(ParseServerHello(AsBytes(hello), false, info), TlsParse::kDone);
  EXPECT_EQ(TlsVersionName(info.version), "TLSv1.2");
  EXPECT_EQ(TlsCipherName(info.cipher), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
  EXPECT_EQ(info.ja3s, "771,49199,65281");
  EXPECT_EQ(info.cert_der, der);
  for (size_t n = 0; n < hello.size(); ++n) {
    ServerHelloInfo partial;
    (void)ParseServerHello(AsBytes(hello).first(n), true, partial);
  }
}

TEST(TlsHelloTest, Tls13UsesSupportedVersions) {
  ServerHelloInfo info;
  ASSERT_EQ(ParseServerHello(AsBytes(testing::ServerHello(0x0304, 0x1301, "")), false, info),
            TlsParse::kDone);
  EXPECT_EQ(TlsVersionName(info.version), "TLSv1.3");
  EXPECT_EQ(info.ja3s, "771,4865,65281-43");
  EXPECT_TRUE(info.cert_der.empty());
}

TEST(TlsHelloTest, NotTls) {
  ClientHelloInfo c;
  EXPECT_EQ(ParseClientHello(AsBytes(std::string("GET / HTTP/1.1\r\n")), c), TlsParse::kNotTls);
  EXPECT_TRUE(IsGrease(0x0A0A));
  EXPECT_TRUE(IsGrease(0xFAFA));
  EXPECT_FALSE(IsGrease(0x0A0B));
}

TEST(DnsTest, AnswersWithCompression) {
  std::vector<DnsAnswer> answers;
  ASSERT_TRUE(ParseDnsAnswers(AsBytes(testing::DnsResponse("Mail.Example.EDU", "192.0.2.25")),
                              answers));
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].name, "mail.example.edu");
  EXPECT_EQ(answers[0].address.ToString(), "192.0.2.25");
}

TEST(DnsTest, PointerLoopsAndTruncationAreRejected) {
  std::string loop("\x00\x01\x81\x80\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c", 14);
  std::vector<DnsAnswer> answers;
  EXPECT_FALSE(ParseDnsAnswers(AsBytes(loop), answers));
  const std::string ok = testing::DnsResponse("a.example", "192.0.2.1");
  for (size_t n = 0; n < ok.size(); ++n) {
    std::vector<DnsAnswer> partial;
    EXPECT_FALSE(ParseDnsAnswers(AsBytes(ok).first(n), partial)) << n;
  }
  std::string query = ok;
  query[2] = 0x01;  // QR=0
  EXPECT_FALSE(ParseDnsAnswers(AsBytes(query), answers));
}

TEST(DhcpTest, HostNameOption12) {
  DhcpInfo info;
  ASSERT_TRUE(ParseDhcp(AsBytes(testing::DhcpRequest("lab-pc-07", "10.1.2.3")), info));
  EXPECT_EQ(info.hostname, "lab-pc-07");
  EXPECT_EQ(info.message_type, 3);
  EXPECT_EQ(info.client.ToString(), "10.1.2.3");
  EXPECT_EQ(info.mac[5], 0x07);
  EXPECT_FALSE(ParseDhcp(AsBytes(std::string(100, '\0')), info));
}

TEST(HttpRequestTest, HostUriUserAgent) {
  HttpRequestInfo req;
  EXPECT_FALSE(ParseHttpRequest("GET /a HTTP/1.1\r\nHost: x\r\n", req));
  ASSERT_TRUE(ParseHttpRequest(
      "GET /login?next=%2F HTTP/1.1\r\nHost: oa.example.edu\r\nUser-Agent: curl/8.0\r\n\r\n", req));
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.uri, "/login?next=%2F");
  EXPECT_EQ(req.host, "oa.example.edu");
  EXPECT_EQ(req.user_agent, "curl/8.0");
  EXPECT_TRUE(LooksLikeHttpRequest(AsBytes(std::string("POST /x"))));
  EXPECT_FALSE(LooksLikeHttpRequest(AsBytes(std::string("GETX"))));
}

TEST(SshTest, Banner) {
  EXPECT_EQ(SshBanner("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\nrest"), "SSH-2.0-OpenSSH_9.2p1 Debian-2");
  EXPECT_EQ(SshBanner("SSH-2.0-no-newline"), "");
  EXPECT_EQ(SshBanner("HTTP/1.1 200 OK\r\n"), "");
}

}  // namespace
}  // namespace ciiscope::scanner::passive
