// Live capture (privileged): the test makes two network namespaces joined by
// a veth pair (10.251.N.1 <-> 10.251.N.2, addresses that exist only there),
// runs `ciiscope scan --interface` inside one of them while it makes HTTP
// and a small port scan between the namespaces, and removes the namespaces
// again (also when an assertion fails). No packet leaves the namespaces.
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "cli_runner.h"
#include "sql_rows.h"

namespace ciiscope::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

int Sh(const std::string& cmd) { return std::system(cmd.c_str()); }

// Debian's python3 (scripts/deps.sh): a version-manager shim on PATH can take
// seconds to start under load, longer than the capture window.
std::string Python() { return fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3"; }

// Two namespaces a and b with veth va (a) <-> vb (b); removed by the destructor.
class NetnsPair {
 public:
  NetnsPair() {
    const std::string id = std::to_string(::getpid() % 100000);
    a_ = "ciip-a-" + id;
    b_ = "ciip-b-" + id;
    subnet_ = "10.251." + std::to_string(::getpid() % 250) + ".";
    // IPv6 off inside: link-local chatter would add hosts the assertions do not expect.
    const std::string no_v6 =
        "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1";
    ok_ = Sh("ip netns add " + a_) == 0 && Sh("ip netns add " + b_) == 0 &&
          Sh(InA(no_v6)) == 0 && Sh(InB(no_v6)) == 0 &&
          Sh("ip link add va" + id + " netns " + a_ + " type veth peer name vb" + id + " netns " +
             b_) == 0 &&
          Sh(InA("ip addr add " + subnet_ + "1/24 dev va" + id)) == 0 &&
          Sh(InB("ip addr add " + subnet_ + "2/24 dev vb" + id)) == 0 &&
          Sh(InA("ip link set va" + id + " up")) == 0 && Sh(InB("ip link set vb" + id + " up")) == 0 &&
          Sh(InA("ip link set lo up")) == 0 && Sh(InB("ip link set lo up")) == 0;
    iface_ = "va" + id;
  }
  ~NetnsPair() {
    (void)Sh("ip netns pids " + b_ + " 2>/dev/null | xargs -r kill 2>/dev/null");
    (void)Sh("ip netns pids " + a_ + " 2>/dev/null | xargs -r kill 2>/dev/null");
    (void)Sh("ip netns del " + a_ + " 2>/dev/null");
    (void)Sh("ip netns del " + b_ + " 2>/dev/null");
  }
  bool ok() const { return ok_; }
  std::string InA(const std::string& cmd) const { return "ip netns exec " + a_ + " " + cmd; }
  std::string InB(const std::string& cmd) const { return "ip netns exec " + b_ + " " + cmd; }
  std::string addr(int host) const { return subnet_ + std::to_string(host); }
  const std::string& a() const { return a_; }
  const std::string& iface() const { return iface_; }

 private:
  std::string a_, b_, subnet_, iface_;
  bool ok_ = false;
};

// Runs the test process's children in namespace `name` while alive.
class InNetns {
 public:
  explicit InNetns(const std::string& name) {
    self_ = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    const int fd = ::open(("/var/run/netns/" + name).c_str(), O_RDONLY | O_CLOEXEC);
    ok_ = self_ >= 0 && fd >= 0 && ::setns(fd, CLONE_NEWNET) == 0;
    if (fd >= 0) ::close(fd);
  }
  ~InNetns() {
    if (self_ >= 0) {
      (void)::setns(self_, CLONE_NEWNET);
      ::close(self_);
    }
  }
  bool ok() const { return ok_; }

 private:
  int self_ = -1;
  bool ok_ = false;
};

class PassiveLiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, capture)";
    dir_ = MakeTempDir("passive-live");
    db_ = dir_ + "/ciiscope.db";
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  // Traffic inside the namespaces, bounded in count and time: an HTTP server
  // in b, a request from a every 0.3 s for 4.5 s (at most 15: the capture
  // sees some however late it starts — a sanitizer build starts slowly),
  // then a connect sweep of 25 ports of b.
  static void Traffic(const NetnsPair& ns, int start_after_ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(start_after_ms));
    const std::string server = ns.addr(2);
    (void)Sh(ns.InB("timeout 20 " + Python() + " -m http.server 18080 --bind " + server +
                    " >/dev/null 2>&1 &"));
    const std::string client =
        "import socket,time,urllib.request\n"
        "for i in range(50):\n"
        "  try:\n"
        "    socket.create_connection(('" + server + "',18080),1).close(); break\n"
        "  except OSError: time.sleep(0.1)\n"
        "end=time.time()+4.5\n"
        "for i in range(15):\n"
        "  if time.time()>end: break\n"
        "  try: urllib.request.urlopen(urllib.request.Request('http://" + server +
        ":18080/', headers={'User-Agent':'ciiscope-live-test'}), timeout=2).read()\n"
        "  except OSError: pass\n"
        "  time.sleep(0.3)\n"
        "for p in range(1000, 1025):\n"
        "  s=socket.socket(); s.settimeout(0.5)\n"
        "  try: s.connect(('" + server + "',p))\n"
        "  except OSError: pass\n"
        "  s.close()\n";
    const std::string py = fs::temp_directory_path() / ("ciip-client-" + std::to_string(::getpid()) + ".py");
    WriteFile(py, client);
    (void)Sh(ns.InA("timeout 20 " + Python() + " " + py + " >/dev/null 2>&1"));
    fs::remove(py);
  }
  std::string dir_, db_;
};

TEST_F(PassiveLiveTest, CapturesDropsPrivilegesAndMonitors) {
  NetnsPair ns;
  ASSERT_TRUE(ns.ok()) << "could not create network namespaces";
  std::thread traffic([&] { Traffic(ns, 1500); });
  CliResult r;
  {
    InNetns in(ns.a());
    ASSERT_TRUE(in.ok());
    r = RunCli({"--db", db_, "scan", "--interface", ns.iface(), "--bpf", "tcp", "--duration", "8s",
                "--monitor", "--scan-ports", "10", "--json"},
               "", 0, 60);
  }
  traffic.join();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("privileges dropped: uid 65534 (nobody)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("dropped by the kernel"), std::string::npos) << r.err;
  const int64_t scan = json::parse(r.out)["scan"].get<int64_t>();
  const std::string server = ns.addr(2), client = ns.addr(1);
  auto services = SqlRows(db_, "SELECT a.address, s.port, s.state FROM services s JOIN assets a ON "
                               "a.id = s.asset_id ORDER BY s.port");
  ASSERT_FALSE(services.empty()) << r.err;
  EXPECT_EQ(services[0], (std::vector<std::string>{server, "18080", "open"}));
  auto http = SqlRows(db_, "SELECT e.data_json FROM evidence e WHERE e.kind = 'http' AND e.scan_id = " +
                               std::to_string(scan));
  ASSERT_FALSE(http.empty());
  const json h = json::parse(http[0][0]);
  EXPECT_EQ(h["user_agent"], "ciiscope-live-test");
  EXPECT_EQ(h["passive"], true);
  EXPECT_EQ(h["status"], 200);
  auto hosts = SqlRows(db_, "SELECT address FROM assets ORDER BY address");
  EXPECT_EQ(hosts, (std::vector<std::vector<std::string>>{{client}, {server}}));
  auto scans = SqlRows(db_, "SELECT source, target FROM monitor_events WHERE kind = 'port-scan'");
  EXPECT_EQ(scans, (std::vector<std::vector<std::string>>{{client, server}}));
  const json stats = json::parse(SqlRows(db_, "SELECT stats_json FROM scans WHERE id = " +
                                                  std::to_string(scan))[0][0]);
  EXPECT_EQ(stats["interface"], ns.iface());
  EXPECT_GT(stats["kernel_received"].get<int64_t>(), 20);
  EXPECT_EQ(stats["kernel_dropped"], 0);
  EXPECT_GT(stats["packets"].get<int64_t>(), 20);
}

TEST_F(PassiveLiveTest, SigintFlushesEverything) {
  NetnsPair ns;
  ASSERT_TRUE(ns.ok()) << "could not create network namespaces";
  std::thread traffic([&] { Traffic(ns, 1000); });
  CliResult r;
  {
    InNetns in(ns.a());
    ASSERT_TRUE(in.ok());
    r = RunCli({"--db", db_, "scan", "--interface", ns.iface()}, "", 9000, 60);
  }
  traffic.join();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("interrupted"), std::string::npos) << r.err;
  auto status = SqlRows(db_, "SELECT status, stats_json FROM scans");
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0][0], "interrupted");
  EXPECT_GT(json::parse(status[0][1])["packets"].get<int64_t>(), 20);
  // Hosts, services and app evidence are all written on the way out.
  EXPECT_EQ(SqlRows(db_, "SELECT COUNT(*) FROM services WHERE port = 18080 AND state = 'open'")[0][0], "1");
  EXPECT_FALSE(SqlRows(db_, "SELECT 1 FROM evidence WHERE kind = 'http'").empty());
  EXPECT_EQ(SqlRows(db_, "SELECT COUNT(*) FROM evidence WHERE kind = 'host_up'")[0][0], "2");
}

TEST_F(PassiveLiveTest, BadFilterIsOneLine) {
  NetnsPair ns;
  ASSERT_TRUE(ns.ok());
  InNetns in(ns.a());
  ASSERT_TRUE(in.ok());
  auto r = RunCli({"--db", db_, "scan", "--interface", ns.iface(), "--bpf", "tcp port", "--duration", "1s"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("bad BPF filter 'tcp port'"), std::string::npos) << r.err;
  EXPECT_EQ(LineCount(r.err), 1) << r.err;
}

}  // namespace
}  // namespace ciiscope::testing
