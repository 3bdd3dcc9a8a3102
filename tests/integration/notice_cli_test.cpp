// `ciiscope report --kind notice` (one rectification notice per unit, an
// index, digests and signatures) and `--kind ledger` through the real
// binary, on the hostile inventory plus units whose codes and names try to
// steer the output path; no network.

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "cli_runner.h"
#include "core/hash.h"
#include "hostile_store.h"
#include "test_model.h"

namespace ciiscope::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class NoticeCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("notice-cli");
    db_ = dir_ + "/ciiscope.db";
    reports::testing::FillHostileStore(db_);
    reports::testing::Sql db(db_);
    // Codes and names that look like paths; each unit has one open finding.
    db.Run("INSERT INTO units (id, parent_id, code, name, level) VALUES "
           "(4, 1, '..', '..', 'school'), (5, 1, '/etc/passwd', 'passwd', 'school'), "
           "(6, 1, NULL, ?, 'school')",
           "a/../../b" + reports::testing::kRlo);
    db.Run("INSERT INTO assets (id, address, address_sort, unit_id) VALUES "
           "(40, '10.9.0.4', '4', 4), (50, '10.9.0.5', '5', 5), (60, '10.9.0.6', '6', 6)");
    db.Run("INSERT INTO findings (id, key, rule_id, severity, status, asset_id, address, "
           "title_en, remediation_en) VALUES "
           "(40, 'n4', 'r', 'high', 'open', 40, '10.9.0.4', 'T', 'R'),"
           "(50, 'n5', 'r', 'high', 'open', 50, '10.9.0.5', 'T', 'R'),"
           "(60, 'n6', 'r', 'high', 'open', 60, '10.9.0.6', 'T', 'R')");
  }
  void TearDown() override { fs::remove_all(dir_); }
  CliResult Cli(std::vector<std::string> args, const std::string& lang = "en") {
    args.insert(args.begin(), {"--db", db_, "--lang", lang, "--actor", "tester"});
    return RunCli(args, dir_);
  }
  std::string dir_, db_;
};

TEST_F(NoticeCliTest, OneSignedFilePerUnitInsideTheFolderWithIndex) {
  CliResult key = Cli({"keygen", "--out", dir_ + "/key.pem"});
  ASSERT_EQ(key.exit_code, 0) << key.err;
  // Deep enough that "../../x" from the output folder stays in our temp dir.
  const std::string out = dir_ + "/a/b/notices";
  CliResult r = Cli({"report", "--kind", "notice", "--format", "html,md,json", "-o", out,
                     "--issuer", "Provincial Education Dept", "--reference-prefix", "EDU",
                     "--sign", dir_ + "/key.pem"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Units 2 ("../../x"), 4, 5 and 6 have findings to fix (3 has none).
  const std::set<std::string> stems = {"notice-0002-.._.._x", "notice-0004-..",
                                       "notice-0005-_etc_passwd", "notice-0006-a_.._.._b_"};
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(out)) {
    EXPECT_TRUE(e.is_regular_file()) << e.path();
    names.insert(e.path().filename().string());
  }
  std::set<std::string> want;
  for (const std::string& stem : stems) {
    for (std::string ext : {".html", ".md", ".json"}) {
      for (std::string side : {"", ".sha256", ".sig"}) want.insert(stem + ext + side);
    }
  }
  for (std::string ext : {".html", ".md", ".json"}) {
    for (std::string side : {"", ".sha256", ".sig"}) want.insert("index" + ext + side);
  }
  EXPECT_EQ(names, want);
  // Nothing was written outside the folder: the temp dir holds only the
  // database, the key pair and the output folder's files.
  for (const auto& e : fs::recursive_directory_iterator(dir_)) {
    if (!e.is_regular_file()) continue;
    std::string p = e.path().string();
    bool ours = p.starts_with(out + "/") || p.starts_with(dir_ + "/ciiscope.db") ||
                p.starts_with(dir_ + "/key.pem");
    EXPECT_TRUE(ours) << p;
  }
  for (const auto& name : want) {
    if (name.ends_with(".sha256") || name.ends_with(".sig")) continue;
    CliResult v = Cli({"verify", out + "/" + name, "--key", dir_ + "/key.pem.pub"});
    EXPECT_EQ(v.exit_code, 0) << name << ": " << v.out << v.err;
  }
  // The index names every notice with the digest of its bytes.
  json index = json::parse(ReadFile(out + "/index.json"));
  EXPECT_EQ(index["kind"], "notice-index");
  const json& rows = index["sections"][0]["rows"];
  ASSERT_EQ(rows.size(), 4u);
  for (const auto& row : rows) {
    std::string files = row["files"], digests = row["sha256"];
    EXPECT_EQ(row["reference"].get<std::string>().rfind("EDU-", 0), 0u) << row;
    std::string first = files.substr(0, files.find(' '));
    EXPECT_EQ(digests.substr(0, 64), core::Sha256Hex(ReadFile(out + "/" + first))) << first;
  }
  json notice = json::parse(ReadFile(out + "/notice-0002-.._.._x.json"));
  EXPECT_EQ(notice["kind"], "notice");
  ASSERT_EQ(notice["sections"][0]["rows"].size(), 2u);  // f3 critical, then f1 high
  EXPECT_EQ(notice["sections"][0]["rows"][0]["severity"], "Critical");
  std::string html = ReadFile(out + "/notice-0002-.._.._x.html");
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_NE(html.find("Provincial Education Dept"), std::string::npos);
}

TEST_F(NoticeCliTest, NamedUnitsOnlyAndUnknownUnitIsOneLine) {
  const std::string out = dir_ + "/one";
  CliResult r = Cli({"report", "--kind", "notice", "--unit", "/etc/passwd", "--format", "md",
                     "-o", out},
                    "zh");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(out + "/notice-0005-_etc_passwd.md"));
  EXPECT_TRUE(fs::exists(out + "/index.md"));
  EXPECT_NE(ReadFile(out + "/notice-0005-_etc_passwd.md").find("整改通知书"), std::string::npos);
  CliResult bad = Cli({"report", "--kind", "notice", "--unit", "NOPE", "-o", dir_ + "/n"});
  EXPECT_NE(bad.exit_code, 0) << bad.err;
  EXPECT_EQ(LineCount(bad.err), 1) << bad.err;
  EXPECT_NE(bad.err.find("--unit 'NOPE'"), std::string::npos) << bad.err;
  WriteFile(dir_ + "/afile", "x");
  CliResult file = Cli({"report", "--kind", "notice", "-o", dir_ + "/afile"});
  EXPECT_NE(file.exit_code, 0);
  EXPECT_NE(file.err.find("must be a folder"), std::string::npos) << file.err;
}

TEST_F(NoticeCliTest, IssuerPrefixAndReplyDaysFromTheConfigurationUnlessGiven) {
  const std::string config = dir_ + "/ciiscope.yaml";
  WriteFile(config, "notice:\n  issuer: City Education Bureau\n  reference_prefix: CITY\n"
                    "  reply_days: 30\n");
  const std::string out = dir_ + "/cfg";
  CliResult r = Cli({"--config", config, "report", "--kind", "notice", "--unit", "/etc/passwd",
                     "--format", "json", "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string text = ReadFile(out + "/notice-0005-_etc_passwd.json");
  EXPECT_NE(text.find("City Education Bureau"), std::string::npos) << text;
  EXPECT_NE(text.find("CITY-"), std::string::npos) << text;
  // The command line wins over the file.
  const std::string out2 = dir_ + "/flags";
  r = Cli({"--config", config, "report", "--kind", "notice", "--unit", "/etc/passwd", "--format",
           "json", "-o", out2, "--issuer", "Provincial Dept", "--reference-prefix", "PROV"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string flagged = ReadFile(out2 + "/notice-0005-_etc_passwd.json");
  EXPECT_NE(flagged.find("Provincial Dept"), std::string::npos);
  EXPECT_EQ(flagged.find("City Education Bureau"), std::string::npos);
  EXPECT_NE(flagged.find("PROV-"), std::string::npos);
  CliResult bad = Cli({"report", "--kind", "notice", "--reply-days", "0", "-o", dir_ + "/bad"});
  EXPECT_NE(bad.exit_code, 0);
}

TEST_F(NoticeCliTest, LedgerInEveryTextFormat) {
  const std::string out = dir_ + "/ledger";
  CliResult r = Cli({"report", "--kind", "ledger", "--format", "html,csv,md,json,xlsx", "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (std::string ext : {".html", ".csv", ".md", ".json", ".xlsx"}) {
    EXPECT_TRUE(fs::exists(out + "/ledger" + ext)) << ext;
    EXPECT_TRUE(fs::exists(out + "/ledger" + ext + ".sha256")) << ext;
  }
  json doc = json::parse(ReadFile(out + "/ledger.json"));
  EXPECT_EQ(doc["kind"], "ledger");
  EXPECT_EQ(doc["sections"][0]["rows"].size(), 6u);
}

}  // namespace
}  // namespace ciiscope::testing
