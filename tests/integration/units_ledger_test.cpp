// The units ledger through the real CLI: import (CSV and YAML), list, file
// errors as FILE:LINE, and the assessor's ledger findings (shadow asset,
// a unit's domain outside its ranges) on a loopback listener this test opens.

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "banner_server.h"
#include "cli_runner.h"

namespace ciiscope::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

class UnitsLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("units");
    db_ = dir_ + "/inventory.db";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  CliResult Cli(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db_, "--lang", "en"});
    return RunCli(args);
  }
  std::string Write(const std::string& name, const std::string& content) {
    WriteFile(dir_ + "/" + name, content);
    return dir_ + "/" + name;
  }
  static void ExpectOneLine(const CliResult& r, int code, const std::string& needle) {
    EXPECT_EQ(r.exit_code, code) << r.out << r.err;
    EXPECT_EQ(LineCount(r.err), 1) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  }
  // rule id → status of the ledger findings.
  std::map<std::string, std::string> LedgerFindings() {
    auto r = Cli({"findings", "list", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, std::string> out;
    for (const auto& f : json::parse(r.out)) {
      std::string rule = f["rule"];
      if (rule == "asset-unowned" || rule == "shuangfei-domain-outside-range") {
        out[rule] = f["status"];
      }
    }
    return out;
  }
  std::string dir_, db_;
};

TEST_F(UnitsLedgerTest, ImportCsvAndYamlThenList) {
  auto csv = Write("units.csv",
                   "id,parent,name,level,owner,contact,cidrs,domains\n"
                   "edu,,Provincial Education Dept,province,Wang,010-1,10.0.0.0/8,edu.example\n"
                   "univ,edu,\"Demo University, Main\",school,Li,li@univ,10.1.0.0/16;10.2.0.0/16,"
                   "univ.edu.example\n");
  auto r = Cli({"units", "import", csv});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("imported 2 unit(s), 3 range(s), 2 domain(s)"), std::string::npos) << r.out;
  auto yaml = Write("more.yaml",
                    "units:\n"
                    "  - id: cs\n    parent: univ\n    name: 计算机学院\n    level: department\n"
                    "    cidrs: [10.1.2.0/24]\n    domains: cs.univ.edu.example\n");
  r = Cli({"units", "import", yaml});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Cli({"units", "list", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json units = json::parse(r.out);
  ASSERT_EQ(units.size(), 3u);
  EXPECT_EQ(units[1]["name"], "Demo University, Main");
  EXPECT_EQ(units[1]["cidrs"], json({"10.1.0.0/16", "10.2.0.0/16"}));
  EXPECT_EQ(units[2]["parent"], "univ");
  EXPECT_EQ(units[2]["name"], "计算机学院");
  // Re-importing updates in place.
  r = Cli({"units", "import", csv});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(Cli({"units", "list", "--json"}).out).size(), 3u);
}

TEST_F(UnitsLedgerTest, FileErrorsNameFileAndLine) {
  const std::string header = "id,parent,name,level,owner,contact,cidrs,domains\n";
  ExpectOneLine(Cli({"units", "import", Write("a.csv", header + "a,,A,school,,,10.0.0.0/8,\n"
                                                               "b,,B,campus,,,,\n")}),
                3, "a.csv:3: unit b: level 'campus'");
  ExpectOneLine(Cli({"units", "import", Write("b.csv", header + "a,,A,school,,,10.0.0.0/33,\n")}),
                3, "b.csv:2: unit a:");
  ExpectOneLine(Cli({"units", "import", Write("c.csv", header + "a,,A,school,,,,\n"
                                                               "a,,A2,school,,,,\n")}),
                3, "c.csv:3: duplicate unit id a (first at line 2)");
  ExpectOneLine(Cli({"units", "import", Write("d.csv", "id,name,levle\n")}), 3,
                "d.csv:1: unknown column 'levle'");
  ExpectOneLine(Cli({"units", "import", Write("e.yaml", "- id: a\n  name: A\n  level: school\n"
                                                        "- id: b\n  name: B\n  level: school\n"
                                                        "  domains: [bad_domain!]\n")}),
                3, "e.yaml:4: unit b:");
  ExpectOneLine(Cli({"units", "import", Write("f.yaml", "- id: a\n  name: A\n  level: school\n"
                                                        "  parent: zz\n")}),
                3, "f.yaml:1: unit a: parent zz is neither in the file nor in the ledger");
  ExpectOneLine(Cli({"units", "import", Write("g.csv", header + "a,b,A,school,,,,\n"
                                                               "b,a,B,school,,,,\n")}),
                3, "g.csv:2: unit a: parents form a cycle");
  ExpectOneLine(Cli({"units", "import", Write("h.txt", "x")}), 2, "must end in .csv");
  // Nothing was imported by the failures.
  EXPECT_EQ(json::parse(Cli({"units", "list", "--json"}).out).size(), 0u);
}

// A unit's own scan rate (`rate`, connections/s) in CSV and YAML; 0 or
// empty = none; re-importing replaces it; bad values are one FILE:LINE line.
TEST_F(UnitsLedgerTest, UnitRateImportsAndBadRatesNameFileAndLine) {
  auto csv = Write("rated.csv",
                   "id,name,level,cidrs,rate\n"
                   "edu,Education,province,10.0.0.0/8,\n"
                   "univ,University,school,10.1.0.0/16,250.5\n");
  auto r = Cli({"units", "import", csv});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto yaml = Write("rated.yaml", "- id: lab\n  parent: univ\n  name: Lab\n  level: department\n"
                                  "  rate: 40\n  cidrs: [10.1.9.0/24]\n");
  r = Cli({"units", "import", yaml});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json units = json::parse(Cli({"units", "list", "--json"}).out);
  ASSERT_EQ(units.size(), 3u);
  EXPECT_EQ(units[0]["rate"], 0.0);
  EXPECT_EQ(units[1]["rate"], 250.5);
  EXPECT_EQ(units[2]["rate"], 40.0);
  r = Cli({"units", "list"});
  EXPECT_NE(r.out.find("rate 250.5/s"), std::string::npos) << r.out;
  // A file without the column sets no rate (the file is the ledger's truth).
  r = Cli({"units", "import", Write("norate.csv", "id,name,level\nuniv,University,school\n")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(Cli({"units", "list", "--json"}).out)[1]["rate"], 0.0);

  const std::string header = "id,name,level,rate\n";
  const std::string yaml_ab = "- id: a\n  name: A\n  level: school\n- id: b\n  name: B\n  level: school\n";
  struct Bad {
    const char* file;
    std::string content;
    const char* message;
  };
  const std::vector<Bad> bad = {
      {"r1.csv", header + "a,A,school,10\nb,B,school,fast\n",
       "r1.csv:3: unit b: rate 'fast' is not a number of connections/s"},
      {"r2.csv", header + "a,A,school,-5\n", "r2.csv:2: unit a: rate '-5'"},
      {"r3.csv", header + "a,A,school,1e99\n", "r3.csv:2: unit a: rate '1e99'"},
      {"r4.csv", header + "a,A,school,12/s\n", "r4.csv:2: unit a: rate '12/s'"},
      {"r5.yaml", yaml_ab + "  rate: nan\n", "r5.yaml:7: unit b: rate 'nan'"},
      {"r6.yaml", "- id: a\n  rate: [1, 2]\n  name: A\n  level: school\n", "r6.yaml:2: rate: expected text"},
  };
  for (const auto& b : bad) ExpectOneLine(Cli({"units", "import", Write(b.file, b.content)}), 3, b.message);
  // The failures changed nothing.
  EXPECT_EQ(json::parse(Cli({"units", "list", "--json"}).out)[1]["rate"], 0.0);
}

TEST_F(UnitsLedgerTest, ShadowAssetAndDomainOutsideRange) {
  BannerServer ssh("SSH-2.0-OpenSSH_9.6\r\n", 16, 60);
  ASSERT_NE(ssh.port(), 0);
  const std::string port = std::to_string(ssh.port());
  // A ledger that owns neither 127.0.0.1 nor the name "localhost"'s address,
  // but registers the name itself.
  auto units = Write("units.csv",
                     "id,parent,name,level,cidrs,domains\n"
                     "univ,,Demo University,school,10.1.0.0/16,localhost\n");
  ASSERT_EQ(Cli({"units", "import", units}).exit_code, 0);
  auto scan = Cli({"scan", "localhost", "-p", port});
  ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;
  ASSERT_EQ(Cli({"assess"}).exit_code, 0);
  auto found = LedgerFindings();
  EXPECT_EQ(found["asset-unowned"], "open");
  EXPECT_EQ(found["shuangfei-domain-outside-range"], "open");

  // Register the range: a rescan no longer matches, both are verified.
  units = Write("units2.csv",
                "id,parent,name,level,cidrs,domains\n"
                "univ,,Demo University,school,10.1.0.0/16;127.0.0.0/8,localhost\n");
  ASSERT_EQ(Cli({"units", "import", units}).exit_code, 0);
  scan = Cli({"scan", "localhost", "-p", port});
  ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;
  ASSERT_EQ(Cli({"assess"}).exit_code, 0);
  found = LedgerFindings();
  EXPECT_EQ(found["asset-unowned"], "verified");
  EXPECT_EQ(found["shuangfei-domain-outside-range"], "verified");
}

TEST_F(UnitsLedgerTest, ProfileRollsUpTheHierarchy) {
  BannerServer ssh("SSH-2.0-OpenSSH_7.4\r\n", 16, 60);
  ASSERT_NE(ssh.port(), 0);
  // Only the school owns an address (loopback); the units above it own
  // nothing themselves, and one province has nothing below it.
  auto units = Write("units.csv",
                     "id,parent,name,level,cidrs,domains\n"
                     "moe,,Ministry,ministry,,\n"
                     "gd,moe,Province A,province,,\n"
                     "bj,moe,Province B,province,,\n"
                     "gz,gd,City,city,,\n"
                     "s1,gz,School,school,127.0.0.0/8,\n");
  ASSERT_EQ(Cli({"units", "import", units}).exit_code, 0);
  ASSERT_EQ(Cli({"scan", "127.0.0.1", "-p", std::to_string(ssh.port())}).exit_code, 0);
  auto r = Cli({"assess", "--profile", "mlps3", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json doc = json::parse(r.out);
  const json& rollup = doc["rollup"];
  ASSERT_EQ(rollup.size(), 5u) << rollup.dump();
  std::vector<std::string> order;
  for (const auto& u : rollup) {
    order.push_back(u["code"].get<std::string>() + "@" + std::to_string(u["depth"].get<int>()));
  }
  EXPECT_EQ(order, (std::vector<std::string>{"moe@0", "bj@1", "gd@1", "gz@2", "s1@3"}));
  const json& school = rollup[4];
  EXPECT_GT(school["summary"]["pass"].get<int>() + school["summary"]["fail"].get<int>(), 0);
  for (size_t i = 0; i < school["results"].size(); ++i) {
    // Ministry, province and city see exactly the school's assets.
    for (size_t u : {0u, 2u, 3u}) {
      EXPECT_EQ(rollup[u]["results"][i]["status"], school["results"][i]["status"]) << i;
      EXPECT_EQ(rollup[u]["results"][i]["assets_failing"], school["results"][i]["assets_failing"]);
    }
    EXPECT_EQ(rollup[1]["results"][i]["status"], "not_assessable");
  }
  auto text = Cli({"assess", "--profile", "mlps3"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("rolled up the unit hierarchy"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("\n        School [school]:"), std::string::npos) << text.out;
}

TEST_F(UnitsLedgerTest, NoLedgerNoLedgerFindings) {
  BannerServer ssh("SSH-2.0-OpenSSH_9.6\r\n", 16, 60);
  ASSERT_NE(ssh.port(), 0);
  ASSERT_EQ(Cli({"scan", "127.0.0.1", "-p", std::to_string(ssh.port())}).exit_code, 0);
  ASSERT_EQ(Cli({"assess"}).exit_code, 0);
  EXPECT_TRUE(LedgerFindings().empty());
}

}  // namespace
}  // namespace ciiscope::testing
