// ciiscope.yaml through the real CLI: `config check`, defaults taken from the
// workspace file, and a broken file stopping a command with one line.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "cli_runner.h"

namespace ciiscope::testing {
namespace {

namespace fs = std::filesystem;

TEST(ConfigCli, CheckReportsFileLineColumn) {
  std::string dir = MakeTempDir("cfg");
  WriteFile(dir + "/bad.yaml", "profiles:\n  p:\n    targets: [127.0.0.1]\n    prots: 80\n");
  auto r = RunCli({"config", "check", dir + "/bad.yaml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(LineCount(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("bad.yaml:4:5: expected a field of profile 'p'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("unknown field 'prots'"), std::string::npos) << r.err;

  auto ok = RunCli({"config", "check", std::string(CIISCOPE_SOURCE_DIR) + "/docs/examples/ciiscope.yaml"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("ok: 2 profile(s), 2 schedule(s), 1 key period(s), 4 alert sink(s)"),
            std::string::npos)
      << ok.out;
  fs::remove_all(dir);
}

TEST(ConfigCli, WorkspaceFileGivesTheDatabase) {
  std::string dir = MakeTempDir("cfg");
  WriteFile(dir + "/ciiscope.yaml", "database: inventory/inv.db\nlang: en\n");
  fs::create_directories(dir + "/inventory");
  auto r = RunCli({"auth", "add", "--ref", "R", "--issuer", "I", "--scope", "127.0.0.1", "--from",
                   "2026-01-01", "--to", "2026-12-31"},
                  dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir + "/inventory/inv.db"));
  EXPECT_FALSE(fs::exists(dir + "/ciiscope.db"));
  // --db on the command line wins.
  auto other = RunCli({"--db", dir + "/other.db", "auth", "list"}, dir);
  EXPECT_EQ(other.exit_code, 0) << other.err;
  EXPECT_TRUE(fs::exists(dir + "/other.db"));
  // --config elsewhere.
  auto via = RunCli({"--config", dir + "/ciiscope.yaml", "trail", "list"});
  EXPECT_EQ(via.exit_code, 0) << via.err;
  EXPECT_NE(via.out.find("auth add"), std::string::npos) << via.out;
  fs::remove_all(dir);
}

TEST(ConfigCli, BrokenWorkspaceFileStopsCommandsWithOneLine) {
  std::string dir = MakeTempDir("cfg");
  WriteFile(dir + "/ciiscope.yaml", "database: x.db\nschedules:\n  - {profile: nope, every: 1s}\n");
  auto r = RunCli({"assets", "list"}, dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(LineCount(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("ciiscope.yaml:3:15: schedule names profile 'nope'"), std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir + "/x.db"));
  auto missing = RunCli({"--config", dir + "/absent.yaml", "assets", "list"}, dir);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("absent.yaml: cannot read the configuration"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ciiscope::testing
