// Hostile servers and inputs from issue 4's "Bad input" list that the other
// tests do not cover: a server that drips a byte a second, binary garbage
// with NULs and ANSI escapes, a flood (the "100 MB banner": bytes without
// end), an endless chunked body, a 1 MB header line, a 60-certificate TLS
// chain, garbage after a ServerHello, and every file of the shared X.509
// corpus through the certificate code (the lead runs this under ASan/UBSan).
// Each conversation must end in bounded time with capped, flagged evidence.
#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <span>
#include <sstream>

#include "local_servers.h"
#include "scanner/probes/probe.h"
#include "scanner/probes/tls/cert_summary.h"
#include "test_sink.h"

namespace ciiscope::scanner {
namespace {

using nlohmann::json;
using testing::Behavior;
using testing::LocalServer;
using testing::MemorySink;
using Clock = std::chrono::steady_clock;

constexpr auto kServiceTimeout = std::chrono::seconds(4);

struct Outcome {
  std::vector<inventory::Observation> observations;
  Clock::duration elapsed{};
  json First(std::string_view kind) const {
    for (const auto& o : observations) {
      if (o.kind == kind) return json::parse(o.data_json);
    }
    return nullptr;
  }
  const inventory::Observation* FirstObs(std::string_view kind) const {
    for (const auto& o : observations) {
      if (o.kind == kind) return &o;
    }
    return nullptr;
  }
};

// Runs the probe `name` ("" = the whole ProbeService chain) against port.
Outcome Converse(std::string_view name, uint16_t port) {
  ProbeRegistry registry;
  RegisterBuiltinProbes(registry);
  MemorySink sink;
  std::atomic<bool> stop{false};
  ProbeContext ctx;
  ctx.target = Target{*core::IpAddress::Parse("127.0.0.1"), ""};
  ctx.port = port;
  ctx.deadline = Clock::now() + kServiceTimeout;
  ctx.stop = &stop;
  ctx.sink = &sink;
  Outcome out;
  auto start = Clock::now();
  asio::io_context io(1);
  const ServiceProbe* probe = name.empty() ? nullptr : registry.Find(name);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        if (probe != nullptr) {
          co_await probe->Run(ctx);
        } else {
          co_await ProbeService(registry, ctx);
        }
      },
      asio::detached);
  io.run_for(std::chrono::seconds(20));
  out.elapsed = Clock::now() - start;
  out.observations = sink.All();
  return out;
}

void ExpectBounded(const Outcome& o) {
  EXPECT_LT(o.elapsed, kServiceTimeout + std::chrono::milliseconds(1500));
}

TEST(BadInputTest, DripEndsByTheDeadline) {
  LocalServer server(Behavior::kDrip, "SSH-2.0-OpenSSH_9.2p1\r\n");
  Outcome o = Converse("", server.port());
  ExpectBounded(o);
  json banner = o.First("banner");
  ASSERT_FALSE(banner.is_null());
  EXPECT_LT(banner["bytes"].get<int>(), 10);  // a few bytes, not the whole line
}

TEST(BadInputTest, BinaryGarbageWithNulsAndEscapesIsMadeSafe) {
  std::string garbage("\x00\x01\x1b[2J\x1b[31mOWNED\x00\xff\xfe\x80\x1b]0;title\x07\r\n", 28);
  LocalServer server(Behavior::kBanner, garbage);
  Outcome o = Converse("", server.port());
  ExpectBounded(o);
  const inventory::Observation* banner = o.FirstObs("banner");
  ASSERT_NE(banner, nullptr);
  EXPECT_EQ(banner->raw, garbage);  // raw bytes kept as they came
  std::string text = json::parse(banner->data_json)["text"].get<std::string>();
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_EQ(text.find('\0'), std::string::npos);
  EXPECT_NE(text.find("OWNED"), std::string::npos);
}

TEST(BadInputTest, EndlessBannerIsCappedAndMarkedTruncated) {
  LocalServer server(Behavior::kFlood);
  Outcome o = Converse("null", server.port());
  ExpectBounded(o);
  const inventory::Observation* banner = o.FirstObs("banner");
  ASSERT_NE(banner, nullptr);
  EXPECT_EQ(json::parse(banner->data_json)["truncated"], true);
  EXPECT_LE(banner->raw.size(), 16u * 1024);
}

TEST(BadInputTest, EndlessChunkedBodyIsCapped) {
  LocalServer server(Behavior::kEndlessChunked);
  Outcome o = Converse("http", server.port());
  ExpectBounded(o);
  json http = o.First("http");
  ASSERT_FALSE(http.is_null());
  EXPECT_EQ(http["status"], 200);
  EXPECT_EQ(http["truncated"], true);
  EXPECT_LE(http["body"].get<std::string>().size(), 64u * 1024);
}

TEST(BadInputTest, OneMegabyteHeaderLineIsCut) {
  std::string response = "HTTP/1.1 200 OK\r\nX-Big: " + std::string(1 << 20, 'h') +
                         "\r\nContent-Length: 2\r\n\r\nok";
  LocalServer server(Behavior::kHttp, response);
  Outcome o = Converse("http", server.port());
  ExpectBounded(o);
  const inventory::Observation* http = o.FirstObs("http");
  ASSERT_NE(http, nullptr);
  EXPECT_LT(http->data_json.size(), 200u * 1024);
  json h = json::parse(http->data_json);
  EXPECT_TRUE(h["truncated"] == true || h.contains("error")) << http->data_json.substr(0, 300);
}

TEST(BadInputTest, SixtyCertificateChainEndsWithTheLeafSummarized) {
  static const testing::TestCert cert = testing::TestCert::SelfSigned("chain.demo-univ.edu.cn", 30);
  LocalServer server(Behavior::kTlsLongChain, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", &cert);
  Outcome o = Converse("tls", server.port());
  ExpectBounded(o);
  json tls = o.First("tls");
  ASSERT_FALSE(tls.is_null());
  EXPECT_EQ(tls["cert"]["subject"].get<std::string>().find("chain.demo-univ.edu.cn") !=
                std::string::npos,
            true);
}

TEST(BadInputTest, GarbageAfterServerHelloFailsTheHandshakeQuietly) {
  // A ServerHello (TLS 1.2, TLS_RSA_WITH_AES_128_CBC_SHA) then a record of junk.
  std::string hello;
  hello += std::string("\x02\x00\x00\x26\x03\x03", 6) + std::string(32, 'r') +
           std::string("\x00\x00\x2f\x00", 4);
  std::string record = std::string("\x16\x03\x03\x00", 4) + static_cast<char>(hello.size()) + hello;
  std::string junk = std::string("\x16\x03\x03\x40\x00", 5) + std::string(0x4000, '\xee');
  LocalServer server(Behavior::kReply, record + junk);
  Outcome o = Converse("tls", server.port());
  ExpectBounded(o);
  EXPECT_TRUE(o.First("tls").is_null());  // no handshake, nothing claimed
}

TEST(BadInputTest, EveryCorpusCertificateParsesOrFailsCleanly) {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(CIISCOPE_SHARED_DIR) / "corpora" / "x509";
  if (!fs::exists(root)) GTEST_SKIP() << "no corpus at " << root;
  size_t files = 0, parsed = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file() || entry.file_size() > (1 << 20)) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    std::string der = buf.str();
    auto s = SummarizeCertificateDer(
        std::span(reinterpret_cast<const std::byte*>(der.data()), der.size()), 0);
    ++files;
    if (s) {
      ++parsed;
      EXPECT_NO_THROW(json::parse(CertSummaryJson(*s))) << entry.path();
    }
  }
  EXPECT_GT(files, 100u);
  EXPECT_GT(parsed, 0u);
}

}  // namespace
}  // namespace ciiscope::scanner
