// The demo campus served for real on 127.x loopback addresses: every
// service answers its protocol, closed ports refuse, stop is prompt, and
// DemoUp/DemoStatus/DemoDown manage a detached server. Network safety: only
// 127.0.0.0/8, every wait bounded.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "app/demo/demo_network.h"
#include "app/demo/state_files.h"

namespace ciiscope::app::demo {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::string MakeTempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "ciiscope-demo-test-XXXXXX").string();
  char* dir = ::mkdtemp(tmpl.data());
  return dir ? std::string(dir) : std::string();
}

// ctest runs every TEST in its own process, possibly in parallel, and two
// checkouts may test at once: each process gets its own demo /24s, derived
// from its pid (127.100.x.y … 127.249.x.y), `salt` telling a test's apart.
std::string TestBase(int salt) {
  int pid = static_cast<int>(::getpid());
  return "127." + std::to_string(100 + salt * 25 + (pid >> 8) % 25) + "." +
         std::to_string(pid & 255);
}

std::string Host(const std::string& base, int octet) { return base + "." + std::to_string(octet); }

int Connect(const std::string& address, uint16_t port, int* error = nullptr) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  if (::inet_pton(AF_INET, address.c_str(), &sa.sin_addr) != 1) return -1;
  if ((ntohl(sa.sin_addr.s_addr) >> 24) != 127) return -1;  // loopback only
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval tv{3, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
    if (error) *error = errno;
    ::close(fd);
    return -1;
  }
  return fd;
}

void Send(int fd, std::string_view data) {
  ASSERT_EQ(::send(fd, data.data(), data.size(), MSG_NOSIGNAL), static_cast<ssize_t>(data.size()));
}

// Reads until `needle` shows up, EOF, 3 s pass, or 64 KiB arrive.
std::string ReadUntil(int fd, std::string_view needle = {}) {
  std::string out;
  auto until = Clock::now() + 3s;
  char buf[4096];
  while (Clock::now() < until && out.size() < 65536) {
    if (!needle.empty() && out.find(needle) != std::string::npos) break;
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string Exchange(const std::string& address, uint16_t port, std::string_view request,
                     std::string_view needle = {}) {
  int fd = Connect(address, port);
  if (fd < 0) return "<connect failed>";
  if (!request.empty()) Send(fd, request);
  std::string out = ReadUntil(fd, needle);
  ::close(fd);
  return out;
}

bool WaitForManifest(const std::string& dir, Clock::duration timeout, DemoManifest* out) {
  auto until = Clock::now() + timeout;
  while (Clock::now() < until) {
    std::ifstream in(dir + "/manifest.json");
    if (in) {
      auto json = nlohmann::json::parse(in, nullptr, false);
      if (!json.is_discarded()) {
        auto m = DemoManifest::FromJson(json);
        if (m.has_value()) {
          *out = *m;
          return true;
        }
      }
    }
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

// A ServeDemo running on a thread of this process.
class RunningDemo {
 public:
  explicit RunningDemo(std::string base) {
    options_.base = std::move(base);
    options_.state_dir = MakeTempDir();
    thread_ = std::thread([this] {
      Status s = ServeDemo(options_, stop_);
      if (!s.has_value()) error_ = s.error().message();
      finished_ = true;
    });
    ready_ = WaitForManifest(options_.state_dir, 10s, &manifest_);
  }
  ~RunningDemo() {
    Stop();
    std::filesystem::remove_all(options_.state_dir);
  }
  // Returns how long ServeDemo took to return.
  Clock::duration Stop() {
    auto start = Clock::now();
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return Clock::now() - start;
  }
  bool ready() const { return ready_; }
  const DemoManifest& manifest() const { return manifest_; }
  const DemoOptions& options() const { return options_; }
  const std::string& error() const { return error_; }

  const DemoService& Service(std::string_view kind) const {
    for (const DemoService& s : manifest_.services) {
      if (s.kind == kind) return s;
    }
    ADD_FAILURE() << "no service " << kind;
    static DemoService none;
    return none;
  }

 private:
  DemoOptions options_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> finished_{false};
  std::string error_;
  std::thread thread_;
  DemoManifest manifest_;
  bool ready_ = false;
};

class DemoServeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { demo_ = new RunningDemo(TestBase(0)); }
  static void TearDownTestSuite() {
    delete demo_;
    demo_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(demo_->ready()) << demo_->error(); }
  static RunningDemo* demo_;
};
RunningDemo* DemoServeTest::demo_ = nullptr;

TEST_F(DemoServeTest, ManifestDescribesTheCampus) {
  const DemoManifest& m = demo_->manifest();
  const std::string base = TestBase(0);
  EXPECT_EQ(m.base, base);
  EXPECT_EQ(m.pid, static_cast<int>(::getpid()));
  ASSERT_EQ(m.services.size(), 7u);
  EXPECT_EQ(m.Addresses(), (std::vector<std::string>{Host(base, 10), Host(base, 11), Host(base, 12),
                                                     Host(base, 13), Host(base, 14)}));
  for (const DemoService& s : m.services) {
    EXPECT_NE(s.port, 0);
    EXPECT_NE(s.hostname.find(".demo-univ.edu.cn"), std::string::npos);
  }
  EXPECT_FALSE(m.closed.empty());
  EXPECT_NE(std::find(m.expected_findings.begin(), m.expected_findings.end(),
                      "redis-unauthenticated"),
            m.expected_findings.end());
}

TEST_F(DemoServeTest, PortalServesALoginPageOverPlainHttp) {
  const DemoService& s = demo_->Service("http-portal");
  std::string r = Exchange(s.address, s.port, "GET / HTTP/1.1\r\nHost: portal\r\n\r\n", "</html>");
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r.substr(0, 200);
  EXPECT_NE(r.find("Server: nginx/1.18.0"), std::string::npos);
  EXPECT_NE(r.find("<title>统一身份认证 - 示范大学</title>"), std::string::npos);
  EXPECT_NE(r.find("type=\"password\""), std::string::npos);
  EXPECT_EQ(r.find("X-Frame-Options"), std::string::npos);
  std::string icon = Exchange(s.address, s.port, "GET /favicon.ico HTTP/1.0\r\n\r\n");
  EXPECT_NE(icon.find("Content-Type: image/x-icon"), std::string::npos);
  EXPECT_NE(icon.find(std::string("\r\n\r\n\0\0\1\0", 8)), std::string::npos);
}

TEST_F(DemoServeTest, WwwServesTheNginxDefaultPage) {
  const DemoService& s = demo_->Service("http-default");
  std::string r = Exchange(s.address, s.port, "GET / HTTP/1.0\r\n\r\n", "</html>");
  EXPECT_NE(r.find("<title>Welcome to nginx!</title>"), std::string::npos);
  EXPECT_NE(r.find("Server: nginx/1.22.1"), std::string::npos);
  // Not HTTP at all → 400, promptly.
  EXPECT_NE(Exchange(s.address, s.port, "\x16\x03\x01\r\n").find("400 Bad Request"),
            std::string::npos);
}

TEST_F(DemoServeTest, HttpsPresentsASelfSignedCertificate) {
  const DemoService& s = demo_->Service("https");
  int fd = Connect(s.address, s.port);
  ASSERT_GE(fd, 0);
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  SSL_set_tlsext_host_name(ssl, "www.demo-univ.edu.cn");
  ASSERT_EQ(SSL_connect(ssl), 1) << ERR_error_string(ERR_get_error(), nullptr);
  X509* cert = SSL_get1_peer_certificate(ssl);
  ASSERT_NE(cert, nullptr);
  // Self-signed: issued by itself and signed with its own key.
  EXPECT_EQ(X509_check_issued(cert, cert), X509_V_OK);
  EXPECT_EQ(X509_verify(cert, X509_get0_pubkey(cert)), 1);
  EXPECT_EQ(X509_check_host(cert, "www.demo-univ.edu.cn", 0, 0, nullptr), 1);
  EXPECT_GT(ASN1_TIME_cmp_time_t(X509_get0_notAfter(cert), std::time(nullptr) + 300L * 86400), 0);
  std::string request = "GET / HTTP/1.1\r\nHost: www.demo-univ.edu.cn\r\n\r\n";
  ASSERT_EQ(SSL_write(ssl, request.data(), static_cast<int>(request.size())),
            static_cast<int>(request.size()));
  std::string response;
  char buf[4096];
  for (int i = 0; i < 16 && response.find("</html>") == std::string::npos; ++i) {
    int n = SSL_read(ssl, buf, sizeof(buf));
    if (n <= 0) break;
    response.append(buf, static_cast<size_t>(n));
  }
  EXPECT_NE(response.find("Strict-Transport-Security: max-age=31536000"), std::string::npos);
  EXPECT_NE(response.find("<title>示范大学</title>"), std::string::npos);
  X509_free(cert);
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  ::close(fd);
}

TEST_F(DemoServeTest, SshSendsAnOldOpenSshBanner) {
  const DemoService& s = demo_->Service("ssh");
  EXPECT_EQ(Exchange(s.address, s.port, "", "\r\n"), "SSH-2.0-OpenSSH_7.4\r\n");
}

TEST_F(DemoServeTest, RedisAnswersWithoutAuthentication) {
  const DemoService& s = demo_->Service("redis");
  int fd = Connect(s.address, s.port);
  ASSERT_GE(fd, 0);
  Send(fd, "PING\r\n");
  EXPECT_EQ(ReadUntil(fd, "\r\n"), "+PONG\r\n");
  Send(fd, "INFO server\r\n");
  std::string info = ReadUntil(fd, "config_file");
  EXPECT_NE(info.find("# Server\r\nredis_version:5.0.7\r\n"), std::string::npos) << info;
  EXPECT_NE(info.find("tcp_port:" + std::to_string(s.port)), std::string::npos);
  // An array command split across two segments.
  Send(fd, "*1\r\n$4\r\nPI");
  std::this_thread::sleep_for(20ms);
  Send(fd, "NG\r\n");
  EXPECT_EQ(ReadUntil(fd, "\r\n"), "+PONG\r\n");
  Send(fd, "FLUSHALL\r\n");
  EXPECT_EQ(ReadUntil(fd, "\r\n").rfind("-ERR unknown command", 0), 0u);
  ::close(fd);
}

TEST_F(DemoServeTest, TelnetNegotiatesThenPromptsForLogin) {
  const DemoService& s = demo_->Service("telnet");
  int fd = Connect(s.address, s.port);
  ASSERT_GE(fd, 0);
  std::string hello = ReadUntil(fd, "login: ");
  EXPECT_EQ(hello.substr(0, 3), "\xFF\xFD\x18");
  EXPECT_NE(hello.find("Demo campus lab switch\r\nlogin: "), std::string::npos);
  Send(fd, "\xFF\xFC\x18" "admin\r\n");
  EXPECT_EQ(ReadUntil(fd, "Password: "), "Password: ");
  Send(fd, "admin\r\n");
  EXPECT_NE(ReadUntil(fd, "login: ").find("Login incorrect"), std::string::npos);
  ::close(fd);
}

TEST_F(DemoServeTest, FtpGreetsAndAnswersUserAndQuit) {
  const DemoService& s = demo_->Service("ftp");
  int fd = Connect(s.address, s.port);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(ReadUntil(fd, "\r\n"), "220 (vsFTPd 3.0.3)\r\n");
  Send(fd, "USER anonymous\r\n");
  EXPECT_EQ(ReadUntil(fd, "\r\n").substr(0, 4), "331 ");
  Send(fd, "QUIT\r\n");
  EXPECT_EQ(ReadUntil(fd), "221 Goodbye.\r\n");  // then EOF
  ::close(fd);
}

TEST_F(DemoServeTest, ClosedPortsRefuse) {
  for (const DemoClosed& c : demo_->manifest().closed) {
    int error = 0;
    EXPECT_LT(Connect(c.address, c.port, &error), 0) << c.address << ":" << c.port;
    EXPECT_EQ(error, ECONNREFUSED);
  }
}

TEST_F(DemoServeTest, ManyConcurrentConnections) {
  const DemoService& s = demo_->Service("redis");
  std::vector<int> fds;
  for (int i = 0; i < 300; ++i) {
    int fd = Connect(s.address, s.port);
    if (fd < 0) break;
    fds.push_back(fd);
  }
  EXPECT_EQ(fds.size(), 300u);
  int answered = 0;
  for (int fd : fds) Send(fd, "PING\r\n");
  for (int fd : fds) {
    if (ReadUntil(fd, "\r\n") == "+PONG\r\n") ++answered;
    ::close(fd);
  }
  EXPECT_EQ(answered, 300);
}

TEST_F(DemoServeTest, OversizedRequestIsCutOff) {
  const DemoService& s = demo_->Service("http-portal");
  int fd = Connect(s.address, s.port);
  ASSERT_GE(fd, 0);
  std::string big = "GET / HTTP/1.1\r\nX-Pad: " + std::string(20000, 'a');
  ::send(fd, big.data(), big.size(), MSG_NOSIGNAL);
  EXPECT_NE(ReadUntil(fd, "</html>").find("400 Bad Request"), std::string::npos);
  ::close(fd);
}

TEST_F(DemoServeTest, IdleConnectionsAreClosed) {
  const DemoService& s = demo_->Service("redis");
  int fd = Connect(s.address, s.port);
  ASSERT_GE(fd, 0);
  timeval tv{8, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  auto start = Clock::now();
  char c;
  EXPECT_EQ(::recv(fd, &c, 1, 0), 0);  // EOF from the server, not our timeout
  EXPECT_LT(Clock::now() - start, 7s);
  ::close(fd);
}

TEST(DemoLifecycleTest, StopReturnsWithinASecondAndRemovesTheManifest) {
  RunningDemo demo(TestBase(1));
  ASSERT_TRUE(demo.ready()) << demo.error();
  // An open session must not delay the stop.
  const DemoService& ssh = demo.Service("ssh");
  int fd = Connect(ssh.address, ssh.port);
  EXPECT_GE(fd, 0);
  EXPECT_LT(demo.Stop(), 1s);
  EXPECT_TRUE(demo.error().empty()) << demo.error();
  EXPECT_FALSE(std::filesystem::exists(demo.options().state_dir + "/manifest.json"));
  if (fd >= 0) ::close(fd);
  int error = 0;
  EXPECT_LT(Connect(ssh.address, ssh.port, &error), 0);
}

TEST(DemoLifecycleTest, RefusesABaseOutsideLoopback) {
  DemoOptions options;
  options.base = "10.1.2";
  options.state_dir = MakeTempDir();
  std::atomic<bool> stop{true};
  Status s = ServeDemo(options, stop);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code(), ErrorCode::kInvalidArgument);
  std::filesystem::remove_all(options.state_dir);
}

// Holds address:port with a listening socket that is not the demo's.
int Squat(const std::string& address, uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  ::inet_pton(AF_INET, address.c_str(), &sa.sin_addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 || ::listen(fd, 4) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

TEST(DemoLifecycleTest, TakenPortFallsBackToPlus10000) {
  const std::string base = TestBase(2);
  int squat = Squat(Host(base, 13), 6379);
  ASSERT_GE(squat, 0);
  RunningDemo demo(base);
  ASSERT_TRUE(demo.ready()) << demo.error();
  EXPECT_EQ(demo.Service("redis").port, 16379);
  ::close(squat);
}

TEST(DemoLifecycleTest, BothPortsTakenIsOneClearLine) {
  const std::string base = TestBase(3);
  int a = Squat(Host(base, 13), 6379);
  int b = Squat(Host(base, 13), 16379);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  DemoOptions options;
  options.base = base;
  options.state_dir = MakeTempDir();
  std::atomic<bool> stop{false};
  Status s = ServeDemo(options, stop);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().message(),
            "demo: cannot bind " + Host(base, 13) + ":6379 or :16379: Address already in use");
  EXPECT_FALSE(std::filesystem::exists(options.state_dir + "/manifest.json"));
  ::close(a);
  ::close(b);
  std::filesystem::remove_all(options.state_dir);
}

TEST(DemoControlTest, UpStatusDown) {
  DemoOptions options;
  options.base = TestBase(4);
  options.state_dir = MakeTempDir();
  auto none = DemoStatus(options);
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->has_value());

  auto up = DemoUp(options, DEMO_SERVE_HELPER);
  ASSERT_TRUE(up.has_value()) << up.error().message();
  EXPECT_NE(up->pid, static_cast<int>(::getpid()));
  EXPECT_EQ(up->services.size(), 7u);
  const DemoService& first = up->services.front();
  EXPECT_NE(Exchange(first.address, first.port, "GET / HTTP/1.0\r\n\r\n").find("200 OK"),
            std::string::npos);

  auto again = DemoUp(options, DEMO_SERVE_HELPER);  // already running
  ASSERT_TRUE(again.has_value()) << again.error().message();
  EXPECT_EQ(again->pid, up->pid);
  auto status = DemoStatus(options);
  ASSERT_TRUE(status.has_value());
  ASSERT_TRUE(status->has_value());
  EXPECT_EQ((*status)->pid, up->pid);

  auto start = Clock::now();
  Status down = DemoDown(options);
  EXPECT_TRUE(down.has_value()) << down.error().message();
  EXPECT_LT(Clock::now() - start, 3s);  // SIGTERM is a clean, quick exit
  EXPECT_FALSE(ProcessAlive(up->pid));
  EXPECT_FALSE(std::filesystem::exists(options.state_dir + "/manifest.json"));
  auto after = DemoStatus(options);
  ASSERT_TRUE(after.has_value());
  EXPECT_FALSE(after->has_value());
  EXPECT_TRUE(DemoDown(options).has_value());  // not running → ok
  std::filesystem::remove_all(options.state_dir);
}

TEST(DemoControlTest, UpReportsABindFailureInOneLine) {
  const std::string base = TestBase(5);
  int a = Squat(Host(base, 13), 6379);
  int b = Squat(Host(base, 13), 16379);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  DemoOptions options;
  options.base = base;
  options.state_dir = MakeTempDir();
  auto up = DemoUp(options, DEMO_SERVE_HELPER);
  ASSERT_FALSE(up.has_value());
  EXPECT_EQ(up.error().message(),
            "demo: cannot bind " + Host(base, 13) + ":6379 or :16379: Address already in use");
  ::close(a);
  ::close(b);
  std::filesystem::remove_all(options.state_dir);
}

}  // namespace
}  // namespace ciiscope::app::demo
