// The rules' collect paths fetched by the http and tls probes (scanner/
// collect_plan.h), against servers this test starts on 127.0.0.1.
#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <map>
#include <nlohmann/json.hpp>

#include "local_servers.h"
#include "scanner/probes/probe.h"
#include "test_sink.h"

namespace ciiscope::scanner {
namespace {

using nlohmann::json;
using testing::Behavior;
using testing::LocalServer;
using testing::MemorySink;

// path → data of the http_path observations recorded on `port`.
std::map<std::string, json> RunWithPlan(std::string_view probe_name, uint16_t port,
                                        const HttpCollectPlan& plan, MemorySink& sink) {
  ProbeRegistry registry;
  RegisterBuiltinProbes(registry);
  std::atomic<bool> stop{false};
  ProbeContext ctx;
  ctx.target = Target{*core::IpAddress::Parse("127.0.0.1"), ""};
  ctx.port = port;
  ctx.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  ctx.stop = &stop;
  ctx.sink = &sink;
  ctx.http_collect = &plan;
  asio::io_context io(1);
  const ServiceProbe* probe = registry.Find(probe_name);
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { co_await probe->Run(ctx); }, asio::detached);
  io.run_for(std::chrono::seconds(20));
  std::map<std::string, json> out;
  for (const auto& obs : sink.Find("http_path", port)) {
    json data = json::parse(obs.data_json);
    out[data["path"].get<std::string>()] = data;
  }
  return out;
}

HttpCollectPlan Plan(std::vector<HttpCollectPlan::Request> requests) {
  HttpCollectPlan plan;
  plan.requests = std::move(requests);
  return plan;
}

TEST(HttpCollectTest, FetchesPathsOverTls) {
  auto cert = testing::TestCert::SelfSigned("www.demo-univ.edu.cn", 30);
  LocalServer server(Behavior::kTlsHttp,
                     "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 23\r\n"
                     "Connection: close\r\n\r\nref: refs/heads/master\n",
                     &cert);
  MemorySink sink;
  auto paths = RunWithPlan("tls", server.port(),
                           Plan({{"/.git/HEAD", false}, {"/www.zip", true}}), sink);
  ASSERT_EQ(paths.size(), 3u);  // the not-found check and both requests
  const json& git = paths["/.git/HEAD"];
  EXPECT_EQ(git["scheme"], "https");
  EXPECT_EQ(git["url"], "https://127.0.0.1:" + std::to_string(server.port()) + "/.git/HEAD");
  EXPECT_EQ(git["method"], "GET");
  EXPECT_EQ(git["status"], 200);
  EXPECT_EQ(git["body"], "ref: refs/heads/master\n");
  EXPECT_EQ(git["content_type"], "text/plain");
  EXPECT_EQ(git["headers"]["content-type"], "text/plain");
  EXPECT_EQ(git["magic"], "7265663a20726566");
  EXPECT_EQ(git["truncated"], false);
  const json& head = paths["/www.zip"];
  EXPECT_EQ(head["method"], "HEAD");
  EXPECT_EQ(head["status"], 200);
  EXPECT_EQ(head["body"], "");
  EXPECT_EQ(head["body_bytes"], 0);
  EXPECT_FALSE(head.contains("error")) << head.dump();
  EXPECT_EQ(paths["/ciiscope-not-found-7f3e9c2a"]["not_found_check"], true);
  // "/" is still recorded as the service's http evidence, once.
  EXPECT_EQ(sink.Find("http", server.port()).size(), 1u);
}

TEST(HttpCollectTest, CapsBodiesAndMarksThemTruncated) {
  std::string body = "PK\x03\x04" + std::string(100 * 1024, 'x');
  LocalServer server(Behavior::kHttp, "HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\nContent-Length: " +
                                          std::to_string(body.size()) + "\r\n\r\n" + body);
  MemorySink sink;
  HttpCollectPlan plan = Plan({{"/www.zip", false}});
  plan.not_found_path.clear();
  auto paths = RunWithPlan("http", server.port(), plan, sink);
  ASSERT_EQ(paths.size(), 1u);
  const json& zip = paths["/www.zip"];
  EXPECT_EQ(zip["truncated"], true);
  EXPECT_EQ(zip["magic"], "504b030478787878");
  EXPECT_LE(zip["body"].get<std::string>().size(), plan.stored_body_cap + 3);  // + "…"
  EXPECT_LE(zip["body_bytes"].get<uint64_t>(), body.size());
  for (const auto& obs : sink.Find("http_path", server.port())) EXPECT_LE(obs.raw.size(), 4096u);
}

TEST(HttpCollectTest, NoPlanNoExtraRequests) {
  LocalServer server(Behavior::kHttp, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  MemorySink sink;
  auto paths = RunWithPlan("http", server.port(), HttpCollectPlan{}, sink);
  EXPECT_TRUE(paths.empty());
  EXPECT_LE(server.connections(), 2);  // "/" and /favicon.ico
}

}  // namespace
}  // namespace ciiscope::scanner
