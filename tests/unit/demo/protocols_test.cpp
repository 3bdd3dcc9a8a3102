// The demo's protocol logic without sockets: RESP, FTP, Telnet, HTTP, the
// manifest format and base validation.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/demo/campus.h"
#include "app/demo/demo_network.h"
#include "app/demo/text_protocols.h"
#include "app/demo/web_content.h"

namespace ciiscope::app::demo {
namespace {

TEST(RespParserTest, InlineAndArrayCommands) {
  std::vector<std::string> args;
  size_t consumed = 0;
  ASSERT_EQ(ParseRespCommand("INFO server\r\n", &args, &consumed), RespState::kCommand);
  EXPECT_EQ(args, (std::vector<std::string>{"INFO", "server"}));
  EXPECT_EQ(consumed, 13u);
  std::string array = "*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n";
  ASSERT_EQ(ParseRespCommand(array, &args, &consumed), RespState::kCommand);
  EXPECT_EQ(args, (std::vector<std::string>{"INFO", "server"}));
  EXPECT_EQ(consumed, array.size());
}

TEST(RespParserTest, AnySegmentationIsIncompleteUntilTheEnd) {
  std::string array = "*1\r\n$4\r\nPING\r\n";
  std::vector<std::string> args;
  size_t consumed = 0;
  for (size_t cut = 0; cut < array.size(); ++cut) {
    EXPECT_EQ(ParseRespCommand(array.substr(0, cut), &args, &consumed), RespState::kIncomplete)
        << cut;
  }
}

TEST(RespParserTest, MalformedInput) {
  std::vector<std::string> args;
  size_t consumed = 0;
  EXPECT_EQ(ParseRespCommand("*x\r\n", &args, &consumed), RespState::kMalformed);
  EXPECT_EQ(ParseRespCommand("*1\r\n$99999999\r\n", &args, &consumed), RespState::kMalformed);
  EXPECT_EQ(ParseRespCommand("*1\r\n$2\r\nabcd\r\n", &args, &consumed), RespState::kMalformed);
  EXPECT_EQ(ParseRespCommand("*1000\r\n", &args, &consumed), RespState::kMalformed);
}

TEST(RedisAnswerTest, PingInfoAndUnknown) {
  EXPECT_EQ(RedisAnswer({"ping"}, 6379).bytes, "+PONG\r\n");
  std::string info = RedisAnswer({"INFO", "server"}, 6379).bytes;
  EXPECT_EQ(info.rfind("$", 0), 0u);
  EXPECT_NE(info.find("# Server\r\nredis_version:5.0.7\r\n"), std::string::npos);
  EXPECT_NE(info.find("tcp_port:6379"), std::string::npos);
  EXPECT_EQ(info.find("# Keyspace"), std::string::npos);
  EXPECT_NE(RedisAnswer({"INFO"}, 6379).bytes.find("# Keyspace"), std::string::npos);
  EXPECT_EQ(RedisAnswer({"CONFIG", "SET", "dir", "/tmp"}, 6379).bytes.rfind("-ERR unknown command", 0),
            0u);
  EXPECT_TRUE(RedisAnswer({"QUIT"}, 6379).close);
}

TEST(FtpAnswerTest, MinimalDialogue) {
  EXPECT_EQ(FtpAnswer("USER anonymous").bytes.substr(0, 3), "331");
  EXPECT_EQ(FtpAnswer("PASS x").bytes.substr(0, 3), "530");
  EXPECT_TRUE(FtpAnswer("quit").close);
  EXPECT_EQ(FtpAnswer("LIST").bytes.substr(0, 3), "530");
}

TEST(TelnetTest, GreetingStartsWithIacAndStrips) {
  std::string greeting = TelnetGreeting();
  EXPECT_EQ(greeting.substr(0, 3), "\xFF\xFD\x18");
  EXPECT_NE(greeting.find("login: "), std::string::npos);
  static constexpr char kClient[] = "\xFF\xFB\x18\xFF\xFA\x18\x00xterm\xFF\xF0" "admin\r\n";
  const std::string client(kClient, sizeof(kClient) - 1);
  EXPECT_EQ(StripTelnetCommands(client), "admin\r\n");
  EXPECT_EQ(StripTelnetCommands("a\xFF\xFF" "b"), "a\xFF" "b");
}

TEST(TakeLinesTest, KeepsThePartialLine) {
  std::string buf = "USER a\r\nPASS b\nQU";
  EXPECT_EQ(TakeLines(&buf), (std::vector<std::string>{"USER a", "PASS b"}));
  EXPECT_EQ(buf, "QU");
}

TEST(HttpTest, ParsesRequestHead) {
  HttpRequest req;
  EXPECT_EQ(ParseHttpRequestHead("GET / HTTP/1.1\r\nHost: x\r\n", &req), HeadState::kIncomplete);
  ASSERT_EQ(ParseHttpRequestHead("GET /favicon.ico HTTP/1.1\r\nHost: x\r\n\r\n", &req),
            HeadState::kComplete);
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.target, "/favicon.ico");
  EXPECT_EQ(ParseHttpRequestHead("garbage\r\n\r\n", &req), HeadState::kMalformed);
}

TEST(HttpTest, PortalIsALoginPageWithoutFramingHeaders) {
  std::string r = HttpResponseFor(WebSite::kPortal, {"GET", "/", "HTTP/1.1"});
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  EXPECT_NE(r.find("Server: nginx/1.18.0\r\n"), std::string::npos);
  EXPECT_NE(r.find("<title>统一身份认证 - 示范大学</title>"), std::string::npos);
  EXPECT_NE(r.find("type=\"password\""), std::string::npos);
  EXPECT_EQ(r.find("X-Frame-Options"), std::string::npos);
  EXPECT_EQ(r.find("Content-Security-Policy"), std::string::npos);
  std::string head = HttpResponseFor(WebSite::kPortal, {"HEAD", "/", "HTTP/1.1"});
  EXPECT_EQ(head.find("<title>"), std::string::npos);
  EXPECT_NE(HttpResponseFor(WebSite::kPortal, {"GET", "/nope", "HTTP/1.1"}).find("404 Not Found"),
            std::string::npos);
}

TEST(HttpTest, FaviconIsAStableIco) {
  const std::string& ico = PortalFavicon();
  EXPECT_EQ(ico.size(), 6u + 16u + 40u + 16u * 16u * 4u + 64u);
  EXPECT_EQ(ico.substr(0, 4), std::string("\0\0\1\0", 4));
  EXPECT_EQ(&ico, &PortalFavicon());
}

TEST(HttpTest, TlsSiteSendsHsts) {
  std::string r = HttpResponseFor(WebSite::kWwwTls, {"GET", "/", "HTTP/1.1"});
  EXPECT_NE(r.find("Strict-Transport-Security: max-age=31536000"), std::string::npos);
  std::string d = HttpResponseFor(WebSite::kNginxDefault, {"GET", "/", "HTTP/1.0"});
  EXPECT_NE(d.find("<title>Welcome to nginx!</title>"), std::string::npos);
  EXPECT_NE(d.find("Server: nginx/1.22.1"), std::string::npos);
}

TEST(ManifestTest, JsonRoundTrip) {
  DemoManifest m;
  m.base = "127.77.0";
  m.pid = 42;
  m.services = {{"127.77.0.10", "portal.demo-univ.edu.cn", 80, "http-portal", "login"},
                {"127.77.0.11", "www.demo-univ.edu.cn", 443, "https", "tls"},
                {"127.77.0.11", "www.demo-univ.edu.cn", 80, "http-default", "nginx"}};
  m.closed = {{"127.77.0.10", 3306}};
  m.expected_findings = {"redis-unauthenticated"};
  auto back = DemoManifest::FromJson(m.ToJson());
  ASSERT_TRUE(back.has_value()) << back.error().message();
  EXPECT_EQ(back->ToJson(), m.ToJson());
  EXPECT_EQ(back->Addresses(), (std::vector<std::string>{"127.77.0.10", "127.77.0.11"}));
}

TEST(ManifestTest, BadJsonIsAnError) {
  EXPECT_FALSE(DemoManifest::FromJson(nlohmann::json::array()).has_value());
  EXPECT_FALSE(DemoManifest::FromJson({{"base", "x"}, {"pid", "nope"}}).has_value());
}

TEST(CampusTest, BaseMustBeLoopback) {
  EXPECT_TRUE(ValidateBase("127.77.0").has_value());
  EXPECT_FALSE(ValidateBase("10.0.0").has_value());
  EXPECT_FALSE(ValidateBase("127.0.0.1").has_value());
  EXPECT_FALSE(ValidateBase("127.300.0").has_value());
  EXPECT_FALSE(ValidateBase("").has_value());
  EXPECT_EQ(DefaultStateDir().rfind("/tmp/ciiscope-demo-", 0), 0u);
}

TEST(CampusTest, ExpectedFindingsAreShippedRules) {
  const std::filesystem::path rules = std::filesystem::path(CIISCOPE_SOURCE_DIR) / "rules";
  ASSERT_TRUE(std::filesystem::is_directory(rules)) << rules;
  for (const std::string& id : CampusExpectedFindings()) {
    bool found = false;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(rules)) {
      if (entry.path().filename() != id + ".yaml") continue;
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      found = text.str().find("id: " + id + "\n") != std::string::npos;
      if (found) break;
    }
    EXPECT_TRUE(found) << "no rule file rules/<pack>/" << id << ".yaml with that id";
  }
}

}  // namespace
}  // namespace ciiscope::app::demo
