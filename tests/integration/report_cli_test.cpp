// `ciiscope report --format md,xlsx --sign`, `ciiscope keygen` and
// `ciiscope verify` through the real binary, on an inventory holding one
// scan (made with the store library; no network).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "cli_runner.h"
#include "inventory/store/store.h"

namespace ciiscope::testing {
namespace {

namespace fs = std::filesystem;

class ReportCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("report-cli");
    db_ = dir_ + "/ciiscope.db";
    auto store = inventory::Store::Open(db_);
    ASSERT_TRUE(store.has_value()) << store.error().message();
    inventory::Scan scan;
    scan.profile = "default";
    scan.targets = "10.0.0.0/30";
    scan.ports = "22";
    scan.engine = "connect";
    scan.operator_name = "tester";
    scan.started_at = 1764380000000;
    scan.status = "done";
    ASSERT_TRUE((*store)->CreateScan(scan).has_value());
  }
  void TearDown() override { fs::remove_all(dir_); }

  CliResult Cli(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db_, "--lang", "en"});
    return RunCli(args, dir_);
  }

  std::string dir_;
  std::string db_;
};

TEST_F(ReportCliTest, MarkdownAndXlsxSignedAndVerified) {
  CliResult key = Cli({"keygen", "--out", dir_ + "/key.pem"});
  ASSERT_EQ(key.exit_code, 0) << key.err;
  EXPECT_NE(key.out.find("fingerprint: sha256:"), std::string::npos) << key.out;

  CliResult rep = Cli({"report", "--format", "md,xlsx", "-o", dir_ + "/out", "--sign",
                       dir_ + "/key.pem"});
  ASSERT_EQ(rep.exit_code, 0) << rep.err;
  for (std::string f : {"scan-1.md", "scan-1.xlsx"}) {
    std::string path = dir_ + "/out/" + f;
    EXPECT_TRUE(fs::exists(path)) << rep.out;
    EXPECT_TRUE(fs::exists(path + ".sha256"));
    EXPECT_TRUE(fs::exists(path + ".sig"));
    CliResult ok = Cli({"verify", path, "--key", dir_ + "/key.pem.pub"});
    EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
    EXPECT_EQ(LineCount(ok.out), 1) << ok.out;
    EXPECT_EQ(ok.out.rfind("ok: ", 0), 0u) << ok.out;
  }
  EXPECT_NE(ReadFile(dir_ + "/out/scan-1.md").find("# Assessment report"), std::string::npos);

  std::ofstream(dir_ + "/out/scan-1.md", std::ios::app) << "\nedited\n";
  CliResult bad = Cli({"verify", dir_ + "/out/scan-1.md"});
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_EQ(LineCount(bad.out), 1) << bad.out;
  EXPECT_NE(bad.out.find("FAILED: "), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("digest mismatch"), std::string::npos) << bad.out;
}

TEST_F(ReportCliTest, VerifyMissingFileAndBadKeyAreOneLineErrors) {
  CliResult missing = Cli({"verify", dir_ + "/nope.html"});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_EQ(LineCount(missing.err), 1) << missing.err;

  std::ofstream(dir_ + "/junk.pem") << "junk";
  CliResult sign = Cli({"report", "--format", "md", "-o", dir_ + "/r.md", "--sign",
                        dir_ + "/junk.pem"});
  EXPECT_EQ(sign.exit_code, 2);
  EXPECT_EQ(LineCount(sign.err), 1) << sign.err;
  EXPECT_NE(sign.err.find("not an Ed25519 private key"), std::string::npos) << sign.err;
}

}  // namespace
}  // namespace ciiscope::testing
