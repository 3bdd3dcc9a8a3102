// HTTP additions of issue 4: charsets (GBK pages), favicon hashes (mmh3 as
// Shodan/FOFA compute it; reference values from mmh3_reference.py), same-host
// redirects — pure functions, then the probe against a scripted server.
#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "scanner/probes/http/charset.h"
#include "scanner/probes/http/favicon.h"
#include "scanner/probes/http/http_exchange.h"
#include "scanner/probes/probe.h"
#include "local_servers.h"
#include "test_sink.h"

namespace ciiscope::scanner {
namespace {

// "统一身份认证" in GBK.
const std::string kGbkTitle = "\xcd\xb3\xd2\xbb\xc9\xed\xb7\xdd\xc8\xcf\xd6\xa4";

std::string Icon(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>((i * 7 + 3) & 0xff));
  return s;
}

TEST(Mmh3Test, KnownVectors) {
  EXPECT_EQ(MurmurHash3X86_32(""), 0u);
  EXPECT_EQ(MurmurHash3X86_32("hello"), 613153351u);
  EXPECT_EQ(MurmurHash3X86_32("The quick brown fox jumps over the lazy dog"), 776992547u);
  EXPECT_EQ(static_cast<int32_t>(MurmurHash3X86_32("hello", 42)), -488910111);
}

TEST(Mmh3Test, FaviconConventionMatchesPythonReference) {
  // python3 tests/unit/probes/mmh3_reference.py
  EXPECT_EQ(FaviconMmh3(Icon(1)), 600172629);
  EXPECT_EQ(FaviconMmh3(Icon(57)), -1410568477);  // exactly one 76-character line
  EXPECT_EQ(FaviconMmh3(Icon(58)), -189587341);
  EXPECT_EQ(FaviconMmh3(Icon(1000)), -985767447);
  EXPECT_EQ(FaviconMmh3(Icon(5430)), -1529621771);
  EXPECT_EQ(Md5Hex(Icon(1000)), "10046f077f2082ac19676b8079f1cb1a");
  EXPECT_EQ(Base64Mime(""), "");
  EXPECT_EQ(Base64Mime("ab"), "YWI=\n");
  std::string b = Base64Mime(Icon(58));
  ASSERT_EQ(b.size(), 76u + 1 + 4 + 1);
  EXPECT_EQ(b[76], '\n');
  EXPECT_EQ(b.back(), '\n');
}

TEST(CharsetTest, DetectsFromHeaderThenMeta) {
  EXPECT_EQ(DetectCharset("text/html; charset=GBK", ""), "gbk");
  EXPECT_EQ(DetectCharset("text/html;charset=\"gb2312\"", "<meta charset=utf-8>"), "gb2312");
  EXPECT_EQ(DetectCharset("text/html", "<head><META HTTP-EQUIV=\"Content-Type\" "
                                       "CONTENT=\"text/html; charset=gb18030\"></head>"),
            "gb18030");
  EXPECT_EQ(DetectCharset("", "<meta charset='GBK' />"), "gbk");
  EXPECT_EQ(DetectCharset("", "<html><title>x</title>"), "");
}

TEST(CharsetTest, ConvertsGbkAndToleratesBadBytes) {
  EXPECT_EQ(ConvertToUtf8(kGbkTitle, "gbk"), "统一身份认证");
  EXPECT_EQ(ConvertToUtf8(kGbkTitle, "gb2312"), "统一身份认证");
  // A lone lead byte and an invalid pair, then more text.
  std::string bad = "\xcd\xb3\xff\x30" + kGbkTitle.substr(2, 2) + "\xd6";
  std::string out = ConvertToUtf8(bad, "gbk");
  EXPECT_NE(out.find("统"), std::string::npos);
  EXPECT_NE(out.find("一"), std::string::npos);
  EXPECT_NE(out.find("\xEF\xBF\xBD"), std::string::npos);
  EXPECT_EQ(ConvertToUtf8("caf\xc3\xa9", "utf-8"), "caf\xc3\xa9");
  EXPECT_EQ(ConvertToUtf8("\xff", "no-such-charset"), "\xEF\xBF\xBD");
}

TEST(RedirectTest, SameHostOnly) {
  EXPECT_EQ(SameHostRedirect("/jwglxt/", "http", "127.0.0.1:8080", "/"), "/jwglxt/");
  EXPECT_EQ(SameHostRedirect("http://127.0.0.1:8080/cas/login?service=x", "http",
                             "127.0.0.1:8080", "/"),
            "/cas/login?service=x");
  EXPECT_EQ(SameHostRedirect("login.jsp", "http", "jw.demo-univ.edu.cn", "/jsxsd/index"),
            "/jsxsd/login.jsp");
  EXPECT_EQ(SameHostRedirect("https://127.0.0.1:8080/", "http", "127.0.0.1:8080", "/"),
            std::nullopt);
  EXPECT_EQ(SameHostRedirect("http://evil.example/", "http", "127.0.0.1", "/"), std::nullopt);
  EXPECT_EQ(SameHostRedirect("http://127.0.0.1.evil/", "http", "127.0.0.1", "/"), std::nullopt);
  EXPECT_EQ(SameHostRedirect("//evil.example/x", "http", "127.0.0.1", "/"), std::nullopt);
  EXPECT_EQ(SameHostRedirect("/a b", "http", "127.0.0.1", "/"), std::nullopt);
}

std::string Http(std::string_view status, std::string_view headers, std::string_view body) {
  std::string r = "HTTP/1.1 ";
  r.append(status).append("\r\n").append(headers);
  r += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
  return r.append(body);
}

TEST(HttpProbeExtrasTest, FollowsRedirectsDecodesGbkAndHashesFavicon) {
  using testing::ScriptServer;
  // One connection per request: the first GET /, the redirect, then the favicon.
  const std::string page = "<html><head><title>" + kGbkTitle + "</title></head></html>";
  const std::string icon = Icon(1000);
  ScriptServer server("", {{"GET / ", Http("302 Found", "Location: /jwglxt/\r\n", "")},
                           {"GET /jwglxt/ ", Http("200 OK", "Content-Type: text/html; charset=gbk\r\n", page)},
                           {"GET /favicon.ico ", Http("200 OK", "Content-Type: image/x-icon\r\n", icon)}},
                      /*per_connection=*/false);
  ProbeRegistry registry;
  RegisterBuiltinProbes(registry);
  testing::MemorySink sink;
  std::atomic<bool> stop{false};
  ProbeContext ctx;
  ctx.target = Target{*core::IpAddress::Parse("127.0.0.1"), ""};
  ctx.port = server.port();
  ctx.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(4);
  ctx.stop = &stop;
  ctx.sink = &sink;
  asio::io_context io(1);
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { co_await registry.Find("http")->Run(ctx); },
      asio::detached);
  io.run_for(std::chrono::seconds(10));
  auto obs = sink.Find("http", server.port());
  ASSERT_EQ(obs.size(), 1u);
  auto data = nlohmann::json::parse(obs[0].data_json);
  EXPECT_EQ(data["status"], 200);
  EXPECT_EQ(data["title"], "统一身份认证");
  EXPECT_EQ(data["charset"], "gbk");
  EXPECT_EQ(data["url"], "http://127.0.0.1:" + std::to_string(server.port()) + "/jwglxt/");
  ASSERT_EQ(data["redirects"].size(), 1u);
  EXPECT_EQ(data["redirects"][0]["status"], 302);
  EXPECT_EQ(data["favicon"]["mmh3"], -985767447);
  EXPECT_EQ(data["favicon"]["md5"], "10046f077f2082ac19676b8079f1cb1a");
  EXPECT_EQ(data["favicon"]["bytes"], 1000);
}

TEST(HttpProbeExtrasTest, RedirectLoopEndsAfterThreeHops) {
  using testing::ScriptServer;
  std::vector<testing::ScriptStep> steps;
  for (int i = 0; i < 8; ++i) {
    steps.push_back({"GET ", Http("302 Found", "Location: /r" + std::to_string(i) + "\r\n", "")});
  }
  ScriptServer server("", steps, /*per_connection=*/false);
  ProbeRegistry registry;
  RegisterBuiltinProbes(registry);
  testing::MemorySink sink;
  std::atomic<bool> stop{false};
  ProbeContext ctx;
  ctx.target = Target{*core::IpAddress::Parse("127.0.0.1"), ""};
  ctx.port = server.port();
  ctx.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(4);
  ctx.stop = &stop;
  ctx.sink = &sink;
  asio::io_context io(1);
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { co_await registry.Find("http")->Run(ctx); },
      asio::detached);
  io.run_for(std::chrono::seconds(10));
  auto obs = sink.Find("http", server.port());
  ASSERT_EQ(obs.size(), 1u);
  auto data = nlohmann::json::parse(obs[0].data_json);
  EXPECT_EQ(data["status"], 302);
  EXPECT_EQ(data["redirects"].size(), 3u);
}

}  // namespace
}  // namespace ciiscope::scanner
