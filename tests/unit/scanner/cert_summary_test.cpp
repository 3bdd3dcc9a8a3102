#include "scanner/probes/tls/cert_summary.h"

#include <gtest/gtest.h>
#include <openssl/x509.h>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "local_servers.h"

namespace ciiscope::scanner {
namespace {

using testing::TestCert;

TEST(CertSummaryTest, SelfSignedRsa) {
  TestCert cert = TestCert::SelfSigned("portal.demo-univ.edu.cn", 30);
  int64_t now = core::NowMillis();
  auto s = SummarizeCertificate(cert.x509(), now);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->subject, "CN=portal.demo-univ.edu.cn,O=Demo Univ");
  EXPECT_EQ(s->issuer, s->subject);
  EXPECT_EQ(s->sans, (std::vector<std::string>{"portal.demo-univ.edu.cn", "127.0.0.1"}));
  EXPECT_TRUE(s->self_signed);
  EXPECT_EQ(s->key_type, "RSA");
  EXPECT_EQ(s->key_bits, 2048);
  EXPECT_EQ(s->sig_alg, "sha256WithRSAEncryption");
  EXPECT_TRUE(s->days_left == 29 || s->days_left == 30) << s->days_left;
  EXPECT_EQ(s->sha256.size(), 64u);
  EXPECT_EQ(s->not_after.size(), 20u);
  EXPECT_EQ(s->not_after.back(), 'Z');
  EXPECT_EQ(s->not_before.substr(0, 10), core::FormatIsoTime(now).substr(0, 10));
  // DER round trip gives the same summary.
  std::string der = cert.Der();
  auto again = SummarizeCertificateDer(
      std::span(reinterpret_cast<const std::byte*>(der.data()), der.size()), now);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->sha256, s->sha256);
  // JSON carries every field of the schema.
  auto j = nlohmann::json::parse(CertSummaryJson(*s));
  for (const char* key : {"subject", "issuer", "sans", "not_before", "not_after", "days_left",
                          "self_signed", "key_type", "key_bits", "sig_alg", "sha256"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
}

TEST(CertSummaryTest, ExpiredDaysAreNegative) {
  TestCert cert = TestCert::SelfSigned("old.example.edu", 30);
  auto s = SummarizeCertificate(cert.x509(), core::NowMillis() + 40LL * 86400 * 1000);
  ASSERT_TRUE(s);
  EXPECT_LT(s->days_left, -9);
  EXPECT_GT(s->days_left, -12);
}

TEST(CertSummaryTest, SignedByAnotherKeyIsNotSelfSigned) {
  TestCert ca = TestCert::SelfSigned("Demo CA", 365);
  TestCert leaf = TestCert::IssuedBy(ca, "www.example.edu", 90);
  auto s = SummarizeCertificate(leaf.x509(), core::NowMillis());
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->self_signed);
  EXPECT_EQ(s->issuer, "CN=Demo CA,O=Demo Univ");
}

TEST(CertSummaryTest, GarbageDerIsAnError) {
  std::string junk = "not a certificate";
  auto s = SummarizeCertificateDer(
      std::span(reinterpret_cast<const std::byte*>(junk.data()), junk.size()), 0);
  EXPECT_FALSE(s);
  EXPECT_FALSE(SummarizeCertificate(nullptr, 0));
}

}  // namespace
}  // namespace ciiscope::scanner
