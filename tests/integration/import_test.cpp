// `ciiscope import` through the real CLI: hand-made fixtures, malformed
// files, and (when nmap is installed) real `nmap -sT -oX` output of
// listeners this test opens on 127.0.0.1.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "cli_runner.h"

namespace ciiscope::testing {
namespace {

namespace fs = std::filesystem;

const std::string kFixtures = std::string(CIISCOPE_SOURCE_DIR) + "/tests/fixtures/imports/";

std::set<std::string> OpenPorts(const std::string& db_path, int64_t scan_id) {
  std::set<std::string> out;
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT a.address, s.port FROM evidence e JOIN assets a ON a.id = e.asset_id "
                     "JOIN services s ON s.id = e.service_id WHERE e.scan_id = ? AND "
                     "e.kind = 'port_state'",
                     -1, &stmt, nullptr);
  sqlite3_bind_int64(stmt, 1, scan_id);
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    out.insert(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))) + ":" +
               std::to_string(sqlite3_column_int(stmt, 1)));
  }
  sqlite3_finalize(stmt);
  sqlite3_close_v2(db);
  return out;
}

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("import");
    db_ = dir_ + "/i.db";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  int64_t Import(const std::string& format, const std::string& file) {
    auto r = RunCli({"--db", db_, "import", format, file, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    return j.is_object() ? j.value("scan", int64_t{0}) : 0;
  }
  std::string dir_, db_;
};

TEST_F(ImportTest, NmapXmlBecomesAScanWithServices) {
  int64_t id = Import("nmap-xml", kFixtures + "nmap_sv.xml");
  ASSERT_GT(id, 0);
  EXPECT_EQ(OpenPorts(db_, id),
            (std::set<std::string>{"192.0.2.10:22", "192.0.2.10:80", "192.0.2.10:443",
                                   "192.0.2.11:3306", "2001:db8::5:443"}));
  auto services = RunCli({"--db", db_, "services", "list", "--json"});
  ASSERT_EQ(services.exit_code, 0) << services.err;
  EXPECT_NE(services.out.find("3306"), std::string::npos);
  // The imported scan is assessable like any other (no network).
  auto assess = RunCli({"--db", db_, "assess", "--scan", std::to_string(id)});
  EXPECT_EQ(assess.exit_code, 0) << assess.err;
}

TEST_F(ImportTest, MasscanJsonAndListGiveTheSameOpenPorts) {
  int64_t a = Import("masscan", kFixtures + "masscan.json");
  int64_t b = Import("masscan", kFixtures + "masscan.list");
  ASSERT_GT(a, 0);
  ASSERT_GT(b, a);
  EXPECT_EQ(OpenPorts(db_, a), (std::set<std::string>{"192.0.2.20:6379", "192.0.2.21:22"}));
  EXPECT_EQ(OpenPorts(db_, a), OpenPorts(db_, b));
}

TEST_F(ImportTest, MalformedFilesGiveOneLineNamingTheFile) {
  for (const auto& [format, file] : std::vector<std::pair<std::string, std::string>>{
           {"nmap-xml", "malformed.xml"}, {"nmap-xml", "entity.xml"},
           {"masscan", "malformed.json"}, {"nmap-xml", "no-such-file.xml"}}) {
    auto r = RunCli({"--db", db_, "import", format, kFixtures + file});
    EXPECT_EQ(r.exit_code, 3) << file << r.err;
    EXPECT_EQ(LineCount(r.err), 1) << r.err;
    EXPECT_NE(r.err.find(file), std::string::npos) << r.err;
  }
}

int Listen(uint16_t* port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || listen(fd, 64) != 0) {
    close(fd);
    return -1;
  }
  socklen_t len = sizeof sa;
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  *port = ntohs(sa.sin_port);
  return fd;
}

TEST_F(ImportTest, RealNmapOutputOfLoopbackListeners) {
  if (std::system("command -v nmap >/dev/null 2>&1") != 0) GTEST_SKIP() << "nmap not installed";
  uint16_t p1 = 0, p2 = 0, closed = 0;
  int a = Listen(&p1), b = Listen(&p2), c = Listen(&closed);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  ASSERT_GE(c, 0);
  close(c);  // bound, then closed: refused
  const std::string out = dir_ + "/nmap.xml";
  // Loopback only, connect scan, no DNS, no host discovery, bounded time.
  std::string cmd = "timeout 60 nmap -sT -Pn -n --max-retries 1 -p " + std::to_string(p1) + "," +
                    std::to_string(p2) + "," + std::to_string(closed) + " 127.0.0.1 -oX " + out +
                    " >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  int64_t id = Import("nmap-xml", out);
  close(a);
  close(b);
  ASSERT_GT(id, 0);
  EXPECT_EQ(OpenPorts(db_, id), (std::set<std::string>{"127.0.0.1:" + std::to_string(p1),
                                                       "127.0.0.1:" + std::to_string(p2)}));
}

}  // namespace
}  // namespace ciiscope::testing
