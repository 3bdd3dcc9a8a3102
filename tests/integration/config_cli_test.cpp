// ciiscope.yaml through the real CLI: `config check`, defaults taken from the
// workspace file, and a broken file stopping a command with one line.
#include <gtest/gtest.h>

#include <ctime>
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

// Two imported scans ten days apart: with stale_days: 5 in ciiscope.yaml the
// asset of the first is stale when the second is assessed; the default (30)
// and `assess --stale-days 0` (the flag wins) find none.
TEST(ConfigCli, StaleDaysFromTheWorkspaceFile) {
  std::string dir = MakeTempDir("cfg-stale");
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  auto nmap = [](const std::string& address, int64_t at) {
    const std::string t = std::to_string(at);
    return "<?xml version=\"1.0\"?>\n<nmaprun scanner=\"nmap\" start=\"" + t + "\" version=\"7.93\">\n"
           "<host starttime=\"" + t + "\" endtime=\"" + t + "\"><status state=\"up\"/>\n"
           "<address addr=\"" + address + "\" addrtype=\"ipv4\"/>\n"
           "<ports><port protocol=\"tcp\" portid=\"22\"><state state=\"open\"/>"
           "<service name=\"ssh\"/></port></ports>\n</host>\n</nmaprun>\n";
  };
  WriteFile(dir + "/old.xml", nmap("192.0.2.50", now - 10 * 86400));
  WriteFile(dir + "/new.xml", nmap("192.0.2.51", now - 60));
  ASSERT_EQ(RunCli({"--db", dir + "/a.db", "import", "nmap-xml", dir + "/old.xml"}, dir).exit_code, 0);
  ASSERT_EQ(RunCli({"--db", dir + "/a.db", "import", "nmap-xml", dir + "/new.xml"}, dir).exit_code, 0);

  auto by_default = RunCli({"--db", dir + "/a.db", "assess"}, dir);
  ASSERT_EQ(by_default.exit_code, 0) << by_default.err;
  EXPECT_EQ(by_default.out.find("not seen for"), std::string::npos) << by_default.out;

  WriteFile(dir + "/ciiscope.yaml", "stale_days: 5\n");
  auto configured = RunCli({"--db", dir + "/a.db", "assess"}, dir);
  ASSERT_EQ(configured.exit_code, 0) << configured.err;
  EXPECT_NE(configured.out.find("1 asset(s) not seen for 5 day(s) or more"), std::string::npos)
      << configured.out;

  auto flag_wins = RunCli({"--db", dir + "/a.db", "assess", "--stale-days", "0"}, dir);
  ASSERT_EQ(flag_wins.exit_code, 0) << flag_wins.err;
  EXPECT_EQ(flag_wins.out.find("not seen for"), std::string::npos) << flag_wins.out;

  WriteFile(dir + "/ciiscope.yaml", "stale_days: -3\n");
  auto bad = RunCli({"--db", dir + "/a.db", "assess"}, dir);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("ciiscope.yaml:1:13: expected stale_days"), std::string::npos) << bad.err;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ciiscope::testing
