#include "reports/integrity.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/hash.h"
#include "reports/report.h"
#include "test_model.h"

namespace ciiscope::reports {
namespace {

namespace fs = std::filesystem;
using testing::Contains;

class IntegrityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ciiscope-integrity-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    report_ = (dir_ / "scan-7.html").string();
    std::ofstream(report_) << "<html>report</html>";
  }
  void TearDown() override { fs::remove_all(dir_); }
  static std::string Slurp(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  void Append(const std::string& p, const std::string& text) {
    std::ofstream(p, std::ios::app) << text;
  }
  KeyPairInfo Keys(const std::string& name) {
    Result<KeyPairInfo> k = GenerateSigningKey((dir_ / name).string());
    EXPECT_TRUE(k.has_value()) << (k ? "" : k.error().message());
    return *k;
  }

  fs::path dir_;
  std::string report_;
};

TEST_F(IntegrityTest, DigestFileIsSha256sumFormat) {
  Result<std::string> path = WriteDigestFile(report_);
  ASSERT_TRUE(path.has_value());
  EXPECT_EQ(*path, report_ + ".sha256");
  EXPECT_EQ(Slurp(*path), core::Sha256Hex("<html>report</html>") + "  scan-7.html\n");
}

TEST_F(IntegrityTest, UnsignedReportVerifiesAndTamperingFails) {
  ASSERT_TRUE(WriteDigestFile(report_).has_value());
  Result<VerifyOutcome> ok = VerifyReportFile(report_, std::nullopt);
  ASSERT_TRUE(ok.has_value());
  EXPECT_TRUE(ok->ok) << ok->line;
  EXPECT_TRUE(Contains(ok->line, "not signed"));
  Append(report_, "<!-- edited -->");
  Result<VerifyOutcome> bad = VerifyReportFile(report_, std::nullopt);
  ASSERT_TRUE(bad.has_value());
  EXPECT_FALSE(bad->ok);
  EXPECT_TRUE(bad->line.starts_with("FAILED: ")) << bad->line;
  EXPECT_TRUE(Contains(bad->line, "digest mismatch")) << bad->line;
  EXPECT_EQ(bad->line.find('\n'), std::string::npos);
}

TEST_F(IntegrityTest, NoDigestFails) {
  Result<VerifyOutcome> r = VerifyReportFile(report_, std::nullopt);
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->ok);
  EXPECT_TRUE(Contains(r->line, "no digest")) << r->line;
}

TEST_F(IntegrityTest, MissingReportIsAnError) {
  Result<VerifyOutcome> r = VerifyReportFile((dir_ / "nope.html").string(), std::nullopt);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kIo);
}

TEST_F(IntegrityTest, SignedReportVerifiesWithItsKey) {
  KeyPairInfo keys = Keys("key.pem");
  EXPECT_EQ(fs::status(keys.private_key).permissions() & fs::perms::others_read, fs::perms::none);
  EXPECT_TRUE(Slurp(keys.public_key).starts_with("-----BEGIN PUBLIC KEY-----"));
  ASSERT_TRUE(WriteDigestFile(report_).has_value());
  Result<SignatureInfo> sig = SignReportFile(report_, keys.private_key);
  ASSERT_TRUE(sig.has_value()) << sig.error().message();
  EXPECT_EQ(sig->key_fingerprint, keys.fingerprint);
  EXPECT_TRUE(Contains(Slurp(sig->sig_path), "algorithm: ed25519\n"));

  Result<VerifyOutcome> pinned = VerifyReportFile(report_, keys.public_key);
  ASSERT_TRUE(pinned.has_value());
  EXPECT_TRUE(pinned->ok) << pinned->line;
  EXPECT_TRUE(Contains(pinned->line, keys.fingerprint));
  Result<VerifyOutcome> unpinned = VerifyReportFile(report_, std::nullopt);
  ASSERT_TRUE(unpinned.has_value());
  EXPECT_TRUE(unpinned->ok);
  EXPECT_TRUE(Contains(unpinned->line, "not pinned"));
}

TEST_F(IntegrityTest, WrongKeyFails) {
  KeyPairInfo mine = Keys("mine.pem");
  KeyPairInfo other = Keys("other.pem");
  ASSERT_TRUE(WriteDigestFile(report_).has_value());
  ASSERT_TRUE(SignReportFile(report_, mine.private_key).has_value());
  Result<VerifyOutcome> r = VerifyReportFile(report_, other.public_key);
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->ok);
  EXPECT_TRUE(Contains(r->line, "signed by key " + mine.fingerprint)) << r->line;
}

TEST_F(IntegrityTest, ReportAndDigestBothAlteredFailsOnSignature) {
  KeyPairInfo keys = Keys("key.pem");
  ASSERT_TRUE(SignReportFile(report_, keys.private_key).has_value());
  Append(report_, "x");
  ASSERT_TRUE(WriteDigestFile(report_).has_value());  // attacker recomputes the digest
  Result<VerifyOutcome> r = VerifyReportFile(report_, std::nullopt);
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->ok);
  EXPECT_TRUE(Contains(r->line, "bad signature")) << r->line;
}

TEST_F(IntegrityTest, PinnedKeyRequiresASignature) {
  KeyPairInfo keys = Keys("key.pem");
  ASSERT_TRUE(WriteDigestFile(report_).has_value());
  Result<VerifyOutcome> r = VerifyReportFile(report_, keys.public_key);
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->ok);
  EXPECT_TRUE(Contains(r->line, "not signed")) << r->line;
}

TEST_F(IntegrityTest, KeygenRefusesToOverwriteAndBadKeysAreRejected) {
  KeyPairInfo keys = Keys("key.pem");
  EXPECT_FALSE(GenerateSigningKey(keys.private_key).has_value());
  std::string junk = (dir_ / "junk.pem").string();
  std::ofstream(junk) << "not a key";
  Result<SignatureInfo> sig = SignReportFile(report_, junk);
  ASSERT_FALSE(sig.has_value());
  EXPECT_EQ(sig.error().code(), ErrorCode::kInvalidArgument);
  // A public key cannot sign.
  EXPECT_FALSE(SignReportFile(report_, keys.public_key).has_value());
}

TEST_F(IntegrityTest, JsonReportsAlsoCheckTheEmbeddedDigest) {
  RendererRegistry registry;
  RegisterBuiltinRenderers(registry);
  std::string path = (dir_ / "scan-7.json").string();
  ASSERT_TRUE(
      WriteReportFile(testing::HostileModel(), *registry.Find("json"), Lang::kEn, path).has_value());
  Result<VerifyOutcome> ok = VerifyReportFile(path, std::nullopt);  // no .sha256: embedded only
  ASSERT_TRUE(ok.has_value());
  EXPECT_TRUE(ok->ok) << ok->line;
  std::string text = Slurp(path);
  text.replace(text.find("redis-unauth"), 5, "REDIS");
  std::ofstream(path, std::ios::trunc) << text;
  Result<VerifyOutcome> bad = VerifyReportFile(path, std::nullopt);
  ASSERT_TRUE(bad.has_value());
  EXPECT_FALSE(bad->ok);
  EXPECT_TRUE(Contains(bad->line, "embedded JSON digest")) << bad->line;
}

TEST_F(IntegrityTest, SectionedJsonReportsVerifyByTheirDigestFile) {
  // table-report/1 JSON carries no embedded digest: the .sha256 beside it is
  // checked, and without one there is nothing to check.
  std::string path = (dir_ / "ledger.json").string();
  std::ofstream(path) << "{\"schema\":\"ciiscope.table-report/1\",\"sections\":[]}";
  ASSERT_TRUE(WriteDigestFile(path).has_value());
  Result<VerifyOutcome> ok = VerifyReportFile(path, std::nullopt);
  ASSERT_TRUE(ok.has_value());
  EXPECT_TRUE(ok->ok) << ok->line;
  std::ofstream(path, std::ios::app) << " ";
  Result<VerifyOutcome> edited = VerifyReportFile(path, std::nullopt);
  ASSERT_TRUE(edited.has_value());
  EXPECT_FALSE(edited->ok);
  EXPECT_TRUE(Contains(edited->line, "digest mismatch")) << edited->line;
  std::filesystem::remove(path + ".sha256");
  Result<VerifyOutcome> none = VerifyReportFile(path, std::nullopt);
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->ok);
  EXPECT_TRUE(Contains(none->line, "no digest")) << none->line;
}

}  // namespace
}  // namespace ciiscope::reports
