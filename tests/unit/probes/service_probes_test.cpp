// The new service probes against scripted servers on 127.0.0.1 (ports this
// test bound), run directly and through ProbeService on unusual ports.
#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "local_servers.h"
#include "probe_fixtures.h"
#include "smb_replies.h"
#include "scanner/probes/common/ber.h"
#include "scanner/probes/dns/dns_probe.h"
#include "scanner/probes/ldap/ldap_probe.h"
#include "scanner/probes/probe.h"
#include "scanner/probes/rdp/rdp_probe.h"
#include "test_sink.h"

namespace ciiscope::scanner {
namespace {

using testing::MemorySink;
using testing::ScriptServer;
using testing::ScriptStep;
using nlohmann::json;

struct ProbeRun {
  ProbeResult result;
  json probe;            // the one `probe` evidence (null if none)
  std::string banner;    // the first `banner` evidence text
};

ProbeRun RunNamed(std::string_view name, uint16_t port) {
  ProbeRegistry registry;
  RegisterBuiltinProbes(registry);
  MemorySink sink;
  std::atomic<bool> stop{false};
  ProbeContext ctx = LoopbackProbeContext(port, sink, stop);
  const ServiceProbe* probe = registry.Find(name);
  ProbeRun out;
  if (probe == nullptr) return out;
  asio::io_context io(1);
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { out.result = co_await probe->Run(ctx); },
      asio::detached);
  io.run_for(std::chrono::seconds(10));
  for (const auto& o : sink.Find("probe", port)) out.probe = json::parse(o.data_json);
  auto banners = sink.Find("banner", port);
  if (!banners.empty()) out.banner = json::parse(banners[0].data_json)["text"].get<std::string>();
  return out;
}

// ProbeService on a port none of the probes hints: which probes spoke.
std::vector<std::string> ServiceProbeNames(uint16_t port) {
  ProbeRegistry registry;
  RegisterBuiltinProbes(registry);
  MemorySink sink;
  std::atomic<bool> stop{false};
  ProbeContext ctx = LoopbackProbeContext(port, sink, stop);
  asio::io_context io(1);
  asio::co_spawn(io, ProbeService(registry, ctx), asio::detached);
  io.run_for(std::chrono::seconds(15));
  std::vector<std::string> names;
  for (const auto& o : sink.Find("probe", port)) {
    names.push_back(json::parse(o.data_json)["probe"].get<std::string>());
  }
  return names;
}

TEST(SshProbeTest, RecordsNormalizedVersionAndBanner) {
  ScriptServer server("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", {});
  ProbeRun r = RunNamed("ssh", server.port());
  EXPECT_TRUE(r.result.recognized);
  EXPECT_EQ(r.probe["probe"], "ssh-banner");
  EXPECT_EQ(r.probe["product"], "OpenSSH");
  EXPECT_EQ(r.probe["version"], "9.2p1");
  EXPECT_EQ(r.probe["distro"], "Debian-2+deb12u3");
  EXPECT_EQ(r.probe["cpe"], "cpe:2.3:a:openbsd:openssh:9.2p1:*:*:*:*:*:*:*");
  EXPECT_EQ(r.banner, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
}

TEST(SshProbeTest, SilentServerEndsInTheGreetingWindow) {
  ScriptServer server("", {});
  auto start = std::chrono::steady_clock::now();
  ProbeRun r = RunNamed("ssh", server.port());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_TRUE(r.result.connected);
  EXPECT_FALSE(r.result.recognized);
  EXPECT_TRUE(r.probe.is_null());
}

TEST(SshProbeTest, FloodIsCappedAndMarkedTruncated) {
  testing::LocalServer flood(testing::Behavior::kFlood);
  auto start = std::chrono::steady_clock::now();
  ProbeRun r = RunNamed("ssh", flood.port());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_FALSE(r.result.recognized);
  EXPECT_EQ(r.probe["truncated"], true);
  EXPECT_TRUE(r.probe.contains("error"));
}

TEST(TelnetProbeTest, FloodIsCapped) {
  testing::LocalServer flood(testing::Behavior::kFlood);
  ProbeRun r = RunNamed("telnet", flood.port());
  EXPECT_FALSE(r.result.recognized);
  EXPECT_EQ(r.probe["truncated"], true);
  EXPECT_LE(r.probe["text"].get<std::string>().size(), 16u * 1024 + 8);
}

TEST(MysqlProbeTest, GarbageWithNulsIsAnObservation) {
  ScriptServer server(std::string("\x00\x1b[31m\x00garbage\xff\xfe\r\n", 18), {});
  ProbeRun r = RunNamed("mysql", server.port());
  EXPECT_TRUE(r.result.connected);
  EXPECT_FALSE(r.result.recognized);
}

TEST(FtpProbeTest, GreetingFeatSyst) {
  ScriptServer server("220 (vsFTPd 3.0.3)\r\n",
                      {{"FEAT", "211-Features:\r\n EPRT\r\n AUTH TLS\r\n UTF8\r\n211 End\r\n"},
                       {"SYST", "215 UNIX Type: L8\r\n"},
                       {"QUIT", "221 Goodbye.\r\n"}});
  ProbeRun r = RunNamed("ftp", server.port());
  EXPECT_TRUE(r.result.recognized);
  EXPECT_EQ(r.probe["probe"], "ftp-greeting");
  EXPECT_EQ(r.probe["code"], 220);
  EXPECT_EQ(r.probe["greeting"], "(vsFTPd 3.0.3)");
  EXPECT_EQ(r.probe["features"], json::array({"EPRT", "AUTH TLS", "UTF8"}));
  EXPECT_EQ(r.probe["auth_tls"], true);
  EXPECT_EQ(r.probe["syst"], "UNIX Type: L8");
  EXPECT_EQ(server.received().find("USER"), std::string::npos);
}

TEST(FtpProbeTest, LeavesSmtpServersAlone) {
  ScriptServer server("220 mail.demo-univ.edu.cn ESMTP Postfix\r\n", {});
  ProbeRun r = RunNamed("ftp", server.port());
  EXPECT_FALSE(r.result.recognized);
  EXPECT_TRUE(r.probe.is_null());
  EXPECT_EQ(server.received(), "");
}

TEST(SmtpProbeTest, EhloCapabilities) {
  ScriptServer server("220 mail.demo-univ.edu.cn ESMTP Postfix (Debian/GNU)\r\n",
                      {{"EHLO ", "250-mail.demo-univ.edu.cn\r\n250-PIPELINING\r\n250-STARTTLS\r\n"
                                 "250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n"},
                       {"QUIT", "221 2.0.0 Bye\r\n"}});
  ProbeRun r = RunNamed("smtp", server.port());
  EXPECT_TRUE(r.result.recognized);
  EXPECT_EQ(r.probe["probe"], "smtp-ehlo");
  EXPECT_EQ(r.probe["greeting"], "mail.demo-univ.edu.cn ESMTP Postfix (Debian/GNU)");
  EXPECT_EQ(r.probe["starttls"], true);
  EXPECT_EQ(r.probe["auth"], json::array({"PLAIN", "LOGIN"}));
  EXPECT_EQ(r.probe["capabilities"].size(), 4u);
}

TEST(Pop3ProbeTest, GreetingAndCapa) {
  ScriptServer server("+OK Dovecot (Debian) ready.\r\n",
                      {{"CAPA", "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nSTLS\r\n.\r\n"}, {"QUIT", "+OK\r\n"}});
  ProbeRun r = RunNamed("pop3", server.port());
  EXPECT_TRUE(r.result.recognized);
  EXPECT_EQ(r.probe["greeting"], "Dovecot (Debian) ready.");
  EXPECT_EQ(r.probe["stls"], true);
}

TEST(ImapProbeTest, GreetingAndCapability) {
  ScriptServer server("* OK [CAPABILITY IMAP4rev1 STARTTLS] Dovecot (Debian) ready.\r\n",
                      {{"a1 CAPABILITY", "* CAPABILITY IMAP4rev1 SASL-IR STARTTLS LOGINDISABLED\r\n"
                                         "a1 OK Pre-login capabilities listed.\r\n"},
                       {"a2 LOGOUT", "* BYE\r\na2 OK\r\n"}});
  ProbeRun r = RunNamed("imap", server.port());
  EXPECT_TRUE(r.result.recognized);
  EXPECT_EQ(r.probe["status"], "OK");
  EXPECT_EQ(r.probe["capabilities"], json::array({"IMAP4rev1", "SASL-IR", "STARTTLS", "LOGINDISABLED"}));
  EXPECT_EQ(r.probe["starttls"], true);
}

TEST(MemcachedProbeTest, VersionAndStats) {
  ScriptServer server("", {{"version", "VERSION 1.6.18\r\n"},
                           {"stats", "STAT pid 7\r\nSTAT curr_connections 2\r\nEND\r\n"}});
  ProbeRun r = RunNamed("memcached", server.port());
  EXPECT_TRUE(r.result.recognized);
  EXPECT_EQ(r.probe["version"], "1.6.18");
  EXPECT_EQ(r.probe["stats"]["curr_connections"], "2");
}

TEST(PostgresProbeTest, SslAnswerAndStartupError) {
  std::string err("E\0\0\0\x31" "SFATAL\0C28000\0Mno pg_hba.conf entry\0Fauth.c\0\0", 50);
  ScriptServer server("", {{std::string("\0\0\0\x08\x04\xd2\x16\x2f", 8), "N"},
                           {std::string("\0\0\0", 3), err}});
  ProbeRun r = RunNamed("postgres", server.port());
  EXPECT_TRUE(r.result.recognized);
  EXPECT_EQ(r.probe["probe"], "postgres-startup");
  EXPECT_EQ(r.probe["ssl"], "N");
  EXPECT_EQ(r.probe["error"]["code"], "28000");
  EXPECT_EQ(r.probe["error"]["file"], "auth.c");
  EXPECT_NE(server.received().find("user\0ciiscope", 0, 13), std::string::npos);
}

TEST(TelnetProbeTest, RefusesOptionsAndKeepsLoginText) {
  ScriptServer server(std::string("\xff\xfd\x18\xff\xfb\x01", 6),
                      {{std::string("\xff\xfc\x18", 3), "Debian GNU/Linux 12\r\nlogin: "}});
  ProbeRun r = RunNamed("telnet", server.port());
  EXPECT_TRUE(r.result.recognized);
  EXPECT_EQ(r.probe["text"], "Debian GNU/Linux 12\r\nlogin: ");
  EXPECT_EQ(r.probe["negotiation"], json::array({"DO 24", "WILL 1"}));
  EXPECT_EQ(server.received(), std::string("\xff\xfc\x18\xff\xfe\x01", 6));
}

TEST(ProbeServiceTest, IdentifiesSshOnAnUnusualPort) {
  ScriptServer server("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", {});
  EXPECT_EQ(ServiceProbeNames(server.port()), std::vector<std::string>{"ssh-banner"});
}

TEST(ProbeServiceTest, TriesFtpThenSmtpOnA220Greeting) {
  ScriptServer server("220 mail.demo-univ.edu.cn ESMTP Postfix\r\n",
                      {{"EHLO ", "250-mail\r\n250 STARTTLS\r\n"}, {"QUIT", "221 Bye\r\n"}});
  EXPECT_EQ(ServiceProbeNames(server.port()), std::vector<std::string>{"smtp-ehlo"});
}

TEST(ProbeServiceTest, IdentifiesImapOnAnUnusualPort) {
  ScriptServer server("* OK IMAP ready\r\n", {{"a1 ", "a1 OK\r\n"}});
  EXPECT_EQ(ServiceProbeNames(server.port()), std::vector<std::string>{"imap-greeting"});
}

TEST(RdpProbeTest, RecordsSelectedProtocolAndNla) {
  std::string confirm("\x03\x00\x00\x13\x0e\xd0\x00\x00\x12\x34\x00"
                      "\x02\x1f\x08\x00\x02\x00\x00\x00", 19);
  ScriptServer server("", {{std::string("\x03\x00\x00\x13", 4), confirm}});
  ProbeRun r = RunNamed("rdp", server.port());
  EXPECT_TRUE(r.result.recognized);
  EXPECT_EQ(r.probe["probe"], "rdp-negotiate");
  EXPECT_EQ(r.probe["selected_protocol"], "hybrid");
  EXPECT_EQ(r.probe["nla"], true);
  EXPECT_EQ(server.received(), RdpConnectionRequest());
}

TEST(LdapProbeTest, ReadsRootDseAndUnbinds) {
  auto msg = [](int id, uint8_t op, const std::string& c) {
    return BerEncode(0x30, BerEncodeInteger(0x02, id) + BerEncode(op, c));
  };
  std::string attrs = BerEncode(
      0x30, BerEncode(0x04, "supportedCapabilities") +
                BerEncode(0x31, BerEncode(0x04, "1.2.840.113556.1.4.800")));
  std::string reply = msg(1, 0x64, BerEncode(0x04, "") + BerEncode(0x30, attrs)) +
                      msg(1, 0x65, BerEncodeInteger(0x0a, 0) + BerEncode(0x04, "") +
                                       BerEncode(0x04, ""));
  ScriptServer server("", {{"\x30", reply}});
  ProbeRun r = RunNamed("ldap", server.port());
  EXPECT_TRUE(r.result.recognized);
  EXPECT_EQ(r.probe["probe"], "ldap-rootdse");
  EXPECT_EQ(r.probe["active_directory"], true);
  EXPECT_EQ(r.probe["attributes"]["supportedCapabilities"][0], "1.2.840.113556.1.4.800");
  EXPECT_TRUE(server.received().starts_with(LdapRootDseRequest()));
  // The UnbindRequest follows; the server thread may still be reading it.
  for (int i = 0; i < 40 && server.received().size() <= LdapRootDseRequest().size(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_GT(server.received().size(), LdapRootDseRequest().size());
}

TEST(SmbProbeTest, NotesAnSmb1OnlyServer) {
  ScriptServer server("", {{std::string("\0\0", 2),
                            std::string("\0\0\0\x08\xffSMB\x72\0\0\0", 12)}});
  ProbeRun r = RunNamed("smb", server.port());
  EXPECT_TRUE(r.result.recognized);
  EXPECT_EQ(r.probe["smb1_only"], true);
}

TEST(SmbProbeTest, ReadsTheNtlmChallengeWithoutAuthenticating) {
  ScriptServer server("", {{std::string("\0\0", 2), smbtest::SmbNegotiateResponse(0x0302, 0x01)},
                           {std::string("\0\0", 2),
                            smbtest::SmbSessionSetupResponse(smbtest::NlmpExampleChallenge())}});
  ProbeRun r = RunNamed("smb", server.port());
  EXPECT_TRUE(r.result.recognized);
  ASSERT_EQ(r.probe["probe"], "smb-ntlm");  // the last evidence, after smb-negotiate
  EXPECT_EQ(r.probe["os_version"], "6.0.6000");
  EXPECT_EQ(r.probe["netbios_domain"], "Domain");
  EXPECT_EQ(r.probe["netbios_computer"], "Server");
  EXPECT_EQ(r.probe["status"], 0xc0000016u);
  EXPECT_EQ(server.received().find(std::string("NTLMSSP\0\x03", 9)), std::string::npos);
}

TEST(DnsProbeTest, ReadsVersionBindOverTcp) {
  std::string m("\x63\x69\x84\x00\x00\x01\x00\x01\x00\x00\x00\x00", 12);
  m += DnsVersionQuery().substr(12);
  m += std::string("\xc0\x0c\x00\x10\x00\x03\x00\x00\x00\x00\x00\x08\x07" "dnsmasq", 20);
  std::string framed = std::string(1, '\0') + static_cast<char>(m.size()) + m;
  ScriptServer server("", {{"", framed}});
  ProbeRun r = RunNamed("dns", server.port());
  EXPECT_TRUE(r.result.recognized);
  EXPECT_EQ(r.probe["transport"], "tcp");
  EXPECT_EQ(r.probe["version"], "dnsmasq");
}

TEST(NewProbesTest, SilentServersEndByTheGreetingWindow) {
  for (const char* name : {"rdp", "ldap", "smb", "dns"}) {
    ScriptServer server("", {});
    auto start = std::chrono::steady_clock::now();
    ProbeRun r = RunNamed(name, server.port());
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4)) << name;
    EXPECT_TRUE(r.result.connected) << name;
    EXPECT_FALSE(r.result.recognized) << name;
    EXPECT_TRUE(r.probe.is_null()) << name;
  }
}

}  // namespace
}  // namespace ciiscope::scanner
