// The syn engine (IPv4 and IPv6) and host discovery in network namespaces this test creates: each case runs in
// a forked child that unshares a fresh network namespace (gone when the
// child exits, also on failure), so nothing is sent outside it. Targets:
// 127.0.0.1 and ::1 of the child's namespace and the far end of a veth pair
// (10.x and fd00:cafe:x::/64, assigned here) into a second namespace held by
// a grandchild.
#include "scanner/syn_engine.h"
#include "scanner/discovery.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

#include "test_sink.h"

namespace ciiscope::scanner {
namespace {

using testing::MemorySink;

// A listening socket on `addr`:port (0 = any free port); returns the port.
uint16_t Listen(const char* addr, int* fd_out) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  inet_pton(AF_INET, addr, &sa.sin_addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 || ::listen(fd, 64) != 0) _exit(20);
  socklen_t len = sizeof(sa);
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  *fd_out = fd;
  return ntohs(sa.sin_port);
}

// A listening IPv6 socket on `addr`:port (0 = any free port); "::" also
// takes IPv4 (dual stack). Returns the port.
uint16_t Listen6(const char* addr, int* fd_out) {
  int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
  int v6only = std::string(addr) == "::" ? 0 : 1;
  setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
  sockaddr_in6 sa{};
  sa.sin6_family = AF_INET6;
  inet_pton(AF_INET6, addr, &sa.sin6_addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 || ::listen(fd, 64) != 0) _exit(22);
  socklen_t len = sizeof(sa);
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  *fd_out = fd;
  return ntohs(sa.sin6_port);
}

// Options for one syn scan of `ports` without service probes.
ScanOptions SynOptions(const std::vector<uint16_t>& ports, int timeout_ms, int retries, const std::string& send = "auto") {
  ScanOptions options;
  options.ports = core::PortList::Of(ports);
  options.service_probes = false;
  options.connect_timeout = std::chrono::milliseconds(timeout_ms);
  options.retries = retries;
  options.send = send;
  return options;
}

void Sh(const std::string& cmd) {
  if (std::system((cmd + " >/dev/null 2>&1").c_str()) != 0) {
    std::fprintf(stderr, "failed: %s\n", cmd.c_str());
    _exit(21);
  }
}

// Forks a grandchild in a new namespace listening on two ports (returned in
// `ports`, IPv4 and IPv6), joined to this namespace by a veth pair: here
// PREFIX.1/24, there PREFIX.2/24, and with PREFIX6 (a ULA /64 such as
// "fd00:cafe:1") PREFIX6::1 here and PREFIX6::2 there. It exits when *hold is closed (also when this process dies),
// and its namespace goes with it; StopPeer waits for that. (A signal would
// not do: the syn engine leaves this process without the right to send one.)
pid_t StartPeer(const std::string& prefix, uint16_t ports[2], int* hold, const std::string& prefix6 = "") {
  int ports_pipe[2], hold_pipe[2];
  if (pipe(ports_pipe) != 0 || pipe(hold_pipe) != 0) _exit(11);
  pid_t peer = fork();
  if (peer == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    close(hold_pipe[1]);
    if (unshare(CLONE_NEWNET) != 0) _exit(12);
    int fd1, fd2;
    uint16_t p[2] = {Listen6("::", &fd1), Listen6("::", &fd2)};
    if (write(ports_pipe[1], p, sizeof(p)) != sizeof(p)) _exit(13);
    char c;
    while (read(hold_pipe[0], &c, 1) > 0) {
    }
    _exit(0);
  }
  close(hold_pipe[0]);
  *hold = hold_pipe[1];
  if (read(ports_pipe[0], ports, 2 * sizeof(uint16_t)) != 2 * sizeof(uint16_t)) _exit(14);
  std::string pid = std::to_string(peer);
  Sh("ip link add cs-t-a type veth peer name cs-t-b netns " + pid);
  Sh("ip addr add " + prefix + ".1/24 dev cs-t-a");
  Sh("ip link set cs-t-a up");
  Sh("nsenter -t " + pid + " -n ip addr add " + prefix + ".2/24 dev cs-t-b");
  Sh("nsenter -t " + pid + " -n ip link set cs-t-b up");
  Sh("nsenter -t " + pid + " -n ip link set lo up");
  if (!prefix6.empty()) {  // nodad: usable at once, no duplicate address detection wait
    Sh("ip -6 addr add " + prefix6 + "::1/64 dev cs-t-a nodad");
    Sh("nsenter -t " + pid + " -n ip -6 addr add " + prefix6 + "::2/64 dev cs-t-b nodad");
  }
  return peer;
}

void StopPeer(pid_t peer, int hold) {
  close(hold);
  waitpid(peer, nullptr, 0);
}

// One syn scan of `addresses` × `ports` (then the peer is stopped): exits 0
// when exactly the `open` pairs are open, every other pair closed, every
// target up, and the process has no privileges left (no raw sockets of
// either family, not root); otherwise with a code naming what differed.
[[noreturn]] void ScanAndCheck(const std::vector<const char*>& addresses, const std::vector<uint16_t>& ports,
                               const std::vector<std::pair<std::string, uint16_t>>& open, pid_t peer, int hold) {
  ScanOptions options = SynOptions(ports, 500, 1);
  std::vector<Target> targets;
  for (const char* a : addresses) targets.push_back(Target{*core::IpAddress::Parse(a), ""});
  MemorySink sink;
  std::atomic<bool> stop{false};
  auto stats = MakeSynEngine()->Run(targets, options, sink, stop, nullptr);
  StopPeer(peer, hold);
  if (!stats) {
    std::fprintf(stderr, "run: %s\n", stats.error().message().c_str());
    _exit(15);
  }
  const size_t pairs = targets.size() * options.ports.size();
  std::fprintf(stderr, "open %llu closed %llu filtered %llu\n", (unsigned long long)stats->open,
               (unsigned long long)stats->closed, (unsigned long long)stats->filtered);
  if (stats->open != open.size() || stats->closed != pairs - open.size() || stats->filtered != 0) _exit(16);
  for (const auto& [addr, port] : open) {
    auto found = sink.Find("port_state", port);
    if (std::none_of(found.begin(), found.end(), [&](const auto& o) { return o.address == addr; })) _exit(17);
  }
  if (sink.Find("host_up", 0).size() != targets.size()) _exit(18);
  if (geteuid() == 0 || ::socket(AF_INET, SOCK_RAW, IPPROTO_RAW) >= 0 ||
      ::socket(AF_INET6, SOCK_RAW, IPPROTO_RAW) >= 0) {
    _exit(19);
  }
  _exit(0);
}

// Child: new namespace with lo up, listeners on 127.0.0.1; a grandchild in
// another namespace listens on the veth peer 10.201.0.2. One syn scan over
// both targets must find exactly the listening ports open and every other
// port closed.
void ScanInNamespaces() {
  if (unshare(CLONE_NEWNET) != 0) _exit(10);
  Sh("ip link set lo up");
  int lfd[2];
  uint16_t local_open[2] = {Listen("127.0.0.1", &lfd[0]), Listen("127.0.0.1", &lfd[1])};

  uint16_t far_open[2];
  int hold;
  pid_t peer = StartPeer("10.201.0", far_open, &hold);
  // Closed: ports nobody listens on in either fresh namespace.
  std::vector<uint16_t> ports = {local_open[0], local_open[1], far_open[0], far_open[1], 1, 7, 9};
  ScanAndCheck({"127.0.0.1", "10.201.0.2"}, ports,
               {{"127.0.0.1", local_open[0]}, {"127.0.0.1", local_open[1]},
                {"10.201.0.2", far_open[0]}, {"10.201.0.2", far_open[1]}},
               peer, hold);
}

TEST(SynEngineTest, FindsExactOpenPortsOnLoopbackAndVethThenDropsPrivileges) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, raw sockets)";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(ScanInNamespaces(), ::testing::ExitedWithCode(0), "");
}

void ScanWithoutPrivileges() {
  if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0) _exit(10);
  ScanOptions options;
  options.ports = core::PortList::Of({80});
  MemorySink sink;
  std::atomic<bool> stop{false};
  auto stats = MakeSynEngine()->Run({Target{*core::IpAddress::Parse("127.0.0.1"), ""}}, options, sink,
                                    stop, nullptr);
  if (stats) _exit(11);
  std::fprintf(stderr, "%s\n", stats.error().message().c_str());
  _exit(stats.error().message().find("run it as root") != std::string::npos ? 0 : 12);
}

TEST(SynEngineTest, WithoutPrivilegesSaysHowToRunIt) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to become an unprivileged user";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(ScanWithoutPrivileges(), ::testing::ExitedWithCode(0), "run it as root");
}

// --unit-rate in the syn engine: 30 probes into a unit limited to 30/s take
// at least (30 - 1 burst) / 30 s to send (a lower bound: load only slows the
// scan down), and the answers are the same as without pacing.
void ScanWithUnitRate() {
  if (unshare(CLONE_NEWNET) != 0) _exit(10);
  Sh("ip link set lo up");
  int lfd;
  uint16_t open_port = Listen("127.0.0.1", &lfd);
  std::vector<uint16_t> ports = {open_port};
  for (uint16_t p = 1; ports.size() < 30; ++p) {
    if (p != open_port) ports.push_back(p);
  }
  ScanOptions options;
  options.ports = core::PortList::Of(ports);
  options.service_probes = false;
  options.connect_timeout = std::chrono::milliseconds(300);
  options.target_unit = {0};
  options.unit_rates = {30};
  MemorySink sink;
  std::atomic<bool> stop{false};
  auto start = std::chrono::steady_clock::now();
  auto stats = MakeSynEngine()->Run({Target{*core::IpAddress::Parse("127.0.0.1"), ""}}, options, sink, stop,
                                    nullptr);
  auto elapsed = std::chrono::steady_clock::now() - start;
  if (!stats) _exit(11);
  std::fprintf(stderr, "open %llu closed %llu in %lld ms\n", (unsigned long long)stats->open,
               (unsigned long long)stats->closed,
               (long long)std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count());
  if (stats->open != 1 || stats->closed != 29) _exit(12);
  if (elapsed < std::chrono::milliseconds(29 * 1000 / 30)) _exit(13);
  _exit(0);
}

TEST(SynEngineTest, UnitRateHoldsBackOneUnit) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, raw sockets)";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(ScanWithUnitRate(), ::testing::ExitedWithCode(0), "");
}

// IPv6 (and IPv4 in the same scan): listeners on ::1 here and on the veth
// peer's ULA address fd00:cafe:203::2 in a second namespace; 127.0.0.1 has
// none. Exactly those four ports open, everything else closed.
void ScanIpv6InNamespaces() {
  if (unshare(CLONE_NEWNET) != 0) _exit(10);
  Sh("ip link set lo up");
  int lfd[2];
  uint16_t local_open[2] = {Listen6("::1", &lfd[0]), Listen6("::1", &lfd[1])};
  uint16_t far_open[2];
  int hold;
  pid_t peer = StartPeer("10.203.0", far_open, &hold, "fd00:cafe:203");
  std::vector<uint16_t> ports = {local_open[0], local_open[1], far_open[0], far_open[1], 1, 7, 9};
  ScanAndCheck({"::1", "fd00:cafe:203::2", "127.0.0.1"}, ports,
               {{"::1", local_open[0]}, {"::1", local_open[1]},
                {"fd00:cafe:203::2", far_open[0]}, {"fd00:cafe:203::2", far_open[1]}},
               peer, hold);
}

TEST(SynEngineTest, FindsExactOpenPortsOverIpv6OnLoopbackAndVeth) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, raw sockets)";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(ScanIpv6InNamespaces(), ::testing::ExitedWithCode(0), "");
}

std::string ShOut(const std::string& cmd) {
  std::string out;
  if (FILE* f = popen(cmd.c_str(), "r")) {
    char buf[256];
    while (fgets(buf, sizeof(buf), f) != nullptr) out += buf;
    pclose(f);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// The MAC of `dev`, read by `ip` run after `prefix` (e.g. "nsenter -t PID -n ")
// (ip, not /sys: sysfs still shows the namespace the test started in).
std::string MacOf(const std::string& prefix, const char* dev) {
  return ShOut(prefix + "ip -o link show dev " + dev + " | sed -n 's/.*link\\/ether \\([0-9a-f:]*\\).*/\\1/p'");
}

// One syn scan of `addresses` in a forked child (the scan drops that
// process's privileges, not this one's). `on_first_pass_sent`, if set, runs
// here once the child reports its first pass fully sent (its progress
// callback writes to a pipe). Exit code 0 when open/closed/filtered are as
// given and, if `under_ms` > 0, the scan took less than that; 2 when the scan
// could not run.
int ScanForked(const std::vector<const char*>& addresses, const ScanOptions& options, uint64_t open, uint64_t closed,
               uint64_t filtered, int64_t under_ms = 0, const std::function<void()>& on_first_pass_sent = {}) {
  int sent_pipe[2];
  if (pipe(sent_pipe) != 0) return 98;
  pid_t child = fork();
  if (child == 0) {
    close(sent_pipe[0]);
    std::vector<Target> targets;
    for (const char* a : addresses) targets.push_back(Target{*core::IpAddress::Parse(a), ""});
    MemorySink sink;
    std::atomic<bool> stop{false};
    bool told = false;
    auto stats = MakeSynEngine()->Run(targets, options, sink, stop, [&](const ScanProgress& p) {
      if (!told && p.done >= p.total) told = write(sent_pipe[1], "s", 1) == 1;
    });
    if (!stats) {
      std::fprintf(stderr, "%s: %s\n", options.send.c_str(), stats.error().message().c_str());
      _exit(2);
    }
    std::fprintf(stderr, "%s, retries %d: open %llu closed %llu filtered %llu in %lld ms\n", options.send.c_str(),
                 options.retries, (unsigned long long)stats->open, (unsigned long long)stats->closed,
                 (unsigned long long)stats->filtered, (long long)stats->duration_ms);
    if (stats->open != open || stats->closed != closed || stats->filtered != filtered) _exit(3);
    _exit(under_ms > 0 && stats->duration_ms >= under_ms ? 4 : 0);
  }
  close(sent_pipe[1]);
  char c;
  if (read(sent_pipe[0], &c, 1) == 1 && on_first_pass_sent) on_first_pass_sent();
  close(sent_pipe[0]);
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 99;
}

// --send afpacket: the veth's queueing discipline drops every packet
// (pfifo limit 0), so only frames that bypass it (PACKET_QDISC_BYPASS) reach
// the peer: the raw socket finds the peer's ports filtered, AF_PACKET finds
// exactly its open ones. Neighbours are permanent on both sides (ARP could
// not pass the qdisc either). 127.0.0.1 keeps the raw socket in both runs.
void ScanThroughAfPacket() {
  if (unshare(CLONE_NEWNET) != 0) _exit(10);
  Sh("ip link set lo up");
  int lfd;
  uint16_t local_open = Listen("127.0.0.1", &lfd);
  uint16_t far_open[2];
  int hold;
  pid_t peer = StartPeer("10.204.0", far_open, &hold);
  const std::string pid = std::to_string(peer);
  std::string peer_mac = MacOf("nsenter -t " + pid + " -n ", "cs-t-b");
  std::string my_mac = MacOf("", "cs-t-a");
  Sh("ip neigh replace 10.204.0.2 lladdr " + peer_mac + " dev cs-t-a nud permanent");
  Sh("nsenter -t " + pid + " -n ip neigh replace 10.204.0.1 lladdr " + my_mac + " dev cs-t-b nud permanent");
  Sh("tc qdisc add dev cs-t-a root pfifo limit 0");
  std::vector<uint16_t> ports = {local_open, far_open[0], far_open[1], 1};
  const std::vector<const char*> targets = {"127.0.0.1", "10.204.0.2"};
  int raw = ScanForked(targets, SynOptions(ports, 400, 0, "raw"), 1, 3, 4);
  int afpacket = ScanForked(targets, SynOptions(ports, 400, 0, "afpacket"), 3, 5, 0);
  int bad = ScanForked(targets, SynOptions(ports, 400, 0, "carrier-pigeon"), 0, 0, 0);
  StopPeer(peer, hold);
  if (raw != 0) _exit(30 + raw);
  if (afpacket != 0) _exit(40 + afpacket);
  _exit(bad == 2 ? 0 : 50);
}

TEST(SynEngineTest, AfPacketSenderBypassesTheQdiscAndKeepsLoopback) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, packet sockets)";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(ScanThroughAfPacket(), ::testing::ExitedWithCode(0), "");
}

// Retransmission and the end of the wait. The peer's queueing discipline
// drops every reply (pfifo limit 0 on its side of the veth; neighbours are
// permanent, as ARP could not pass either):
//  1. without retries every pair stays filtered (the drop works);
//  2. with one retry, the drop is lifted once the first pass is sent, so
//     only the retransmission is answered: every pair is found (a 3 s
//     timeout leaves the lifting, a fork and exec of tc, room on a loaded
//     machine before the retransmission goes out);
//  3. with nothing dropped and a 20 s timeout, the scan ends as soon as
//     every pair has answered instead of waiting the timeout out.
void RetransmitInNamespaces() {
  if (unshare(CLONE_NEWNET) != 0) _exit(10);
  Sh("ip link set lo up");
  uint16_t far_open[2];
  int hold;
  pid_t peer = StartPeer("10.205.0", far_open, &hold);
  const std::string in_peer = "nsenter -t " + std::to_string(peer) + " -n ";
  Sh("ip neigh replace 10.205.0.2 lladdr " + MacOf(in_peer, "cs-t-b") + " dev cs-t-a nud permanent");
  Sh(in_peer + "ip neigh replace 10.205.0.1 lladdr " + MacOf("", "cs-t-a") + " dev cs-t-b nud permanent");
  std::vector<uint16_t> ports = {far_open[0], far_open[1], 1};
  Sh(in_peer + "tc qdisc add dev cs-t-b root pfifo limit 0");
  const std::vector<const char*> target = {"10.205.0.2"};
  int dropped = ScanForked(target, SynOptions(ports, 300, 0), 0, 0, 3);
  int retried = ScanForked(target, SynOptions(ports, 3000, 1), 2, 1, 0, 0,
                           [&] { Sh(in_peer + "tc qdisc del dev cs-t-b root"); });
  int early = ScanForked(target, SynOptions(ports, 20000, 1), 2, 1, 0, 10000);
  StopPeer(peer, hold);
  if (dropped != 0) _exit(30 + dropped);
  if (retried != 0) _exit(40 + retried);
  _exit(early == 0 ? 0 : 50 + early);
}

TEST(SynEngineTest, RetransmitsTheUnansweredAndStopsWaitingOnceAllAnswered) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, raw sockets)";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(RetransmitInNamespaces(), ::testing::ExitedWithCode(0), "");
}

// Host discovery in a namespace: the veth peer (PREFIX.2) is up, PREFIX.3 is
// absent; each method alone must find exactly the peer.
void DiscoverInNamespaces() {
  if (unshare(CLONE_NEWNET) != 0) _exit(10);
  Sh("ip link set lo up");
  uint16_t ports[2];
  int hold;
  pid_t peer = StartPeer("10.202.0", ports, &hold);
  std::vector<Target> targets = {Target{*core::IpAddress::Parse("10.202.0.2"), ""},
                                 Target{*core::IpAddress::Parse("10.202.0.3"), ""}};
  std::atomic<bool> stop{false};
  int code = 0;
  for (int method = 0; method < 3 && code == 0; ++method) {
    DiscoveryOptions options;
    options.timeout = std::chrono::milliseconds(700);
    options.arp = method == 0;
    options.icmp = method == 1;
    if (method != 2) options.tcp_ports.clear();
    MemorySink sink;
    auto found = DiscoverHosts(targets, options, sink, stop);
    size_t by = method == 0 ? found->by_arp : method == 1 ? found->by_icmp : found->by_tcp;
    const char* reason = method == 0 ? "arp-reply" : method == 1 ? "icmp-echo" : "tcp-ping";
    auto ups = sink.Find("host_up", 0);
    std::fprintf(stderr, "method %s: up %zu by %zu\n", reason, found ? found->up_count() : 99, by);
    if (!found || !found->up[0] || found->up[1] || by != 1 || ups.size() != 1 ||
        ups[0].address != "10.202.0.2" || ups[0].data_json.find(reason) == std::string::npos) {
      code = 30 + method;
    }
  }
  StopPeer(peer, hold);
  _exit(code);
}

TEST(DiscoveryTest, ArpIcmpAndTcpPingEachFindTheLiveHostOnly) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, raw sockets)";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(DiscoverInNamespaces(), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace ciiscope::scanner
