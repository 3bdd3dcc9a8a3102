// Golden tests: captures made here (pcap_open_dead + pcap_dump from crafted
// frames) → evidence, compared field by field with the expected values.

#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "passive_packets.h"
#include "scanner/passive/capture_file.h"
#include "test_sink.h"

namespace ciiscope::scanner::passive {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace testing;  // NOLINT: test helpers

class PassiveGoldenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ciiscope-passive-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  Result<PassiveRunResult> Run(const std::vector<std::string>& files, PassiveOptions opts = {}) {
    std::atomic<bool> stop{false};
    return AnalyzeCaptureFiles(files, opts, sink_, stop);
  }
  std::vector<json> Data(std::string_view kind) const {
    std::vector<json> out;
    for (const auto& o : sink_.All()) {
      if (o.kind == kind) {
        json j = json::parse(o.data_json);
        j["_address"] = o.address;
        j["_port"] = o.port;
        j["_transport"] = o.transport;
        j["_hostname"] = o.hostname;
        out.push_back(j);
      }
    }
    return out;
  }

  fs::path dir_;
  scanner::testing::MemorySink sink_;
};

TEST_F(PassiveGoldenTest, HttpTlsSshDnsDhcp) {
  const std::string der = SelfSignedCertDer("portal.example.edu");
  {
    PcapFile pcap(Path("mix.pcap"), DLT_EN10MB);
    pcap.AddAll(TcpConversation(
        "10.0.0.10", 50000, "10.0.0.80", 80,
        "GET /index.html HTTP/1.1\r\nHost: www.example.edu\r\nUser-Agent: Mozilla/5.0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nServer: nginx/1.24.0\r\nContent-Length: 44\r\n\r\n"
        "<html><title>Example Univ</title></html>    ",
        16));
    pcap.AddAll(TcpConversation("10.0.0.10", 50001, "10.0.0.43", 443, ClientHello("portal.example.edu"),
                                ServerHello(0x0303, 0xC02F, der), 100));
    pcap.AddAll(TcpConversation("10.0.0.11", 50002, "10.0.0.22", 22, "SSH-2.0-PuTTY_0.78\r\n",
                                "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"));
    pcap.Add(Ether(Ipv4("10.0.0.53", "10.0.0.10", 17,
                        Udp(53, 40000, DnsResponse("mail.example.edu", "10.0.0.25")))));
    pcap.Add(Ether(Ipv4("0.0.0.0", "255.255.255.255", 17,
                        Udp(68, 67, DhcpRequest("lab-pc-07", "10.0.0.77")))));
  }
  auto run = Run({Path("mix.pcap")});
  ASSERT_TRUE(run) << run.error().message();
  EXPECT_TRUE(run->warnings.empty());
  EXPECT_EQ(run->stats.decode_errors, 0u);
  EXPECT_EQ(run->stats.flows, 3u);

  auto http = Data("http");
  ASSERT_EQ(http.size(), 1u);
  EXPECT_EQ(http[0]["_address"], "10.0.0.80");
  EXPECT_EQ(http[0]["_port"], 80);
  EXPECT_EQ(http[0]["url"], "http://www.example.edu/index.html");
  EXPECT_EQ(http[0]["user_agent"], "Mozilla/5.0");
  EXPECT_EQ(http[0]["status"], 200);
  EXPECT_EQ(http[0]["headers"]["server"], "nginx/1.24.0");
  EXPECT_EQ(http[0]["title"], "Example Univ");
  EXPECT_EQ(http[0]["passive"], true);

  auto tls = Data("tls");
  ASSERT_EQ(tls.size(), 1u);
  EXPECT_EQ(tls[0]["_address"], "10.0.0.43");
  EXPECT_EQ(tls[0]["_port"], 443);
  EXPECT_EQ(tls[0]["sni"], "portal.example.edu");
  EXPECT_EQ(tls[0]["version"], "TLSv1.2");
  EXPECT_EQ(tls[0]["cipher"], "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
  EXPECT_EQ(tls[0]["ja3"], "771,4865-4866-49199,0-10-11,29-23,0");
  EXPECT_EQ(tls[0]["ja3s"], "771,49199,65281");
  EXPECT_EQ(tls[0]["cert"]["subject"], "CN=portal.example.edu");
  EXPECT_EQ(tls[0]["cert"]["self_signed"], true);
  EXPECT_EQ(tls[0]["cert"]["key_type"], "EC");

  auto banner = Data("banner");
  ASSERT_EQ(banner.size(), 1u);
  EXPECT_EQ(banner[0]["_address"], "10.0.0.22");
  EXPECT_EQ(banner[0]["text"], "SSH-2.0-OpenSSH_9.2p1 Debian-2");

  auto dns = Data("dns");
  ASSERT_EQ(dns.size(), 1u);
  EXPECT_EQ(dns[0]["_address"], "10.0.0.25");
  EXPECT_EQ(dns[0]["_hostname"], "mail.example.edu");
  EXPECT_EQ(dns[0]["server"], "10.0.0.53");

  auto dhcp = Data("dhcp");
  ASSERT_EQ(dhcp.size(), 1u);
  EXPECT_EQ(dhcp[0]["_address"], "10.0.0.77");
  EXPECT_EQ(dhcp[0]["hostname"], "lab-pc-07");
  EXPECT_EQ(dhcp[0]["mac"], "02:00:00:00:00:07");

  std::set<std::string> services;
  for (const auto& s : Data("port_state")) {
    services.insert(s["_address"].get<std::string>() + "/" + s["_transport"].get<std::string>() +
                    "/" + std::to_string(s["_port"].get<int>()) + "/" +
                    s["reason"].get<std::string>());
  }
  EXPECT_EQ(services, (std::set<std::string>{"10.0.0.22/tcp/22/syn-ack-seen",
                                             "10.0.0.43/tcp/443/syn-ack-seen",
                                             "10.0.0.53/udp/53/dns-response-seen",
                                             "10.0.0.80/tcp/80/syn-ack-seen"}));
  auto hosts = Data("host_up");
  ASSERT_EQ(hosts.size(), 6u);  // .10 .11 .22 .43 .53 .80 (0.0.0.0 is not a host)
  EXPECT_EQ(hosts[0]["_address"], "10.0.0.10");
  EXPECT_EQ(hosts[0]["mac"], "02:00:00:00:00:01");
  EXPECT_GT(hosts[0]["packets"].get<int>(), 5);
  EXPECT_LE(hosts[0]["first_seen"].get<int64_t>(), hosts[0]["last_seen"].get<int64_t>());
}

TEST_F(PassiveGoldenTest, MidstreamServerPayloadAndIpv6Vlan) {
  {
    PcapFile pcap(Path("mid.pcap"), DLT_EN10MB);
    // No handshake in the capture: the server is known from what it says.
    const std::string resp = "HTTP/1.0 404 Not Found\r\nServer: Apache\r\n\r\n";
    pcap.Add(Ether(Ipv6("2001:db8::80", "2001:db8::10", 6, Tcp(8080, 40000, 77, 1, 0x18, resp)),
                   true, {100}));
    pcap.Add(Ether(Ipv6("2001:db8::80", "2001:db8::10", 6, Tcp(8080, 40000, 77 + resp.size(), 1, 0x11)),
                   true, {100}));
    pcap.Add(Ether(Ipv6("2001:db8::10", "2001:db8::80", 6, Tcp(40000, 8080, 1, 0, 0x11)), true,
                   {100}));
  }
  auto run = Run({Path("mid.pcap")});
  ASSERT_TRUE(run);
  auto http = Data("http");
  ASSERT_EQ(http.size(), 1u);
  EXPECT_EQ(http[0]["_address"], "2001:db8::80");
  EXPECT_EQ(http[0]["_port"], 8080);
  EXPECT_EQ(http[0]["status"], 404);
  auto ports = Data("port_state");
  ASSERT_EQ(ports.size(), 1u);
  EXPECT_EQ(ports[0]["reason"], "server-payload-seen");
}

TEST_F(PassiveGoldenTest, FlowCapEvictsAndCounts) {
  {
    PcapFile pcap(Path("many.pcap"), DLT_EN10MB);
    for (uint16_t i = 0; i < 200; ++i) {
      // Open flows that never close.
      pcap.Add(Ether(Ipv4("10.9.0.1", "10.9.0.2", 6, Tcp(static_cast<uint16_t>(20000 + i), 80, 1, 0, 0x02))));
    }
  }
  PassiveOptions opts;
  opts.flow_memory_cap = 16 * 1024;
  auto run = Run({Path("many.pcap")}, opts);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->stats.flows, 200u);
  EXPECT_GT(run->stats.flows_evicted, 100u);
  EXPECT_LT(run->stats.peak_flows, 100u);
}

TEST_F(PassiveGoldenTest, TruncatedFileKeepsPacketsAndWarnsOnce) {
  {
    PcapFile pcap(Path("t.pcap"), DLT_EN10MB);
    for (int i = 0; i < 10; ++i) {
      pcap.Add(Ether(Ipv4("10.1.0.1", "10.1.0.2", 17, Udp(1000, 2000, std::string(100, 'x')))));
    }
  }
  const auto size = fs::file_size(Path("t.pcap"));
  fs::resize_file(Path("t.pcap"), size - 50);  // cut inside the last packet
  auto run = Run({Path("t.pcap")});
  ASSERT_TRUE(run) << run.error().message();
  EXPECT_EQ(run->stats.packets, 9u);
  ASSERT_EQ(run->warnings.size(), 1u);
  EXPECT_NE(run->warnings[0].find("t.pcap"), std::string::npos);
  EXPECT_NE(run->warnings[0].find("after 9 packet"), std::string::npos);
}

TEST_F(PassiveGoldenTest, BadFilesAreRejectedWithTheirName) {
  {
    std::ofstream(Path("junk.pcap")) << "this is not a capture file at all";
    // A classic pcap header announcing a snaplen of 0xFFFFFFFF and one
    // record whose caplen is 0xFFFFFFFF.
    std::string hdr("\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00"
                    "\xff\xff\xff\xff\x01\x00\x00\x00",
                    24);
    std::string rec("\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff", 16);
    std::ofstream(Path("huge.pcap"), std::ios::binary) << hdr << rec << "abc";
  }
  auto junk = Run({Path("junk.pcap")});
  ASSERT_FALSE(junk);
  EXPECT_NE(junk.error().message().find("junk.pcap"), std::string::npos);
  auto huge = Run({Path("huge.pcap")});
  if (huge) {
    EXPECT_EQ(huge->stats.packets, 0u);
    ASSERT_EQ(huge->warnings.size(), 1u);
    EXPECT_NE(huge->warnings[0].find("huge.pcap"), std::string::npos);
  } else {
    EXPECT_NE(huge.error().message().find("huge.pcap"), std::string::npos);
  }
  // One good file among bad ones still runs, naming the bad one.
  {
    PcapFile pcap(Path("good.pcap"), DLT_RAW);
    pcap.Add(Ipv4("10.2.0.1", "10.2.0.2", 17, Udp(1, 2, "x")));
  }
  auto mixed = Run({Path("junk.pcap"), Path("good.pcap")});
  ASSERT_TRUE(mixed);
  ASSERT_EQ(mixed->errors.size(), 1u);
  EXPECT_NE(mixed->errors[0].find("junk.pcap"), std::string::npos);
  EXPECT_EQ(mixed->stats.packets, 1u);
}

// Compresses `from` into `to` with zlib's gzip writer.
void Gzip(const std::string& from, const std::string& to) {
  std::ifstream in(from, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  gzFile gz = gzopen(to.c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  ASSERT_EQ(gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  ASSERT_EQ(gzclose(gz), Z_OK);
}

TEST_F(PassiveGoldenTest, GzipCapturesAreReadTransparently) {
  {
    PcapFile pcap(Path("plain.pcap"), DLT_EN10MB);
    pcap.AddAll(TcpConversation("10.0.0.10", 50000, "10.0.0.80", 80,
                                "GET / HTTP/1.1\r\nHost: gz.example.edu\r\n\r\n",
                                "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
  }
  Gzip(Path("plain.pcap"), Path("c.pcap.gz"));
  scanner::testing::MemorySink plain_sink;
  std::atomic<bool> stop{false};
  auto plain = AnalyzeCaptureFiles({Path("plain.pcap")}, PassiveOptions{}, plain_sink, stop);
  ASSERT_TRUE(plain);
  auto run = Run({Path("c.pcap.gz")});
  ASSERT_TRUE(run) << run.error().message();
  EXPECT_TRUE(run->warnings.empty());
  EXPECT_EQ(run->stats.packets, plain->stats.packets);
  auto http = Data("http");
  ASSERT_EQ(http.size(), 1u);
  EXPECT_EQ(http[0]["url"], "http://gz.example.edu/");
  // A cut gzip stream keeps what came before and warns once.
  const auto size = fs::file_size(Path("c.pcap.gz"));
  fs::copy_file(Path("c.pcap.gz"), Path("cut.pcap.gz"));
  fs::resize_file(Path("cut.pcap.gz"), size * 2 / 3);
  auto cut = Run({Path("cut.pcap.gz")});
  ASSERT_TRUE(cut) << cut.error().message();
  EXPECT_LT(cut->stats.packets, plain->stats.packets);
  ASSERT_EQ(cut->warnings.size(), 1u);
  EXPECT_NE(cut->warnings[0].find("cut.pcap.gz"), std::string::npos);
  // gzip of something that is not a capture: one error naming the file.
  {
    std::ofstream(Path("text")) << "hello, not a capture";
  }
  Gzip(Path("text"), Path("text.gz"));
  auto bad = Run({Path("text.gz")});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("text.gz"), std::string::npos);
}

}  // namespace
}  // namespace ciiscope::scanner::passive
