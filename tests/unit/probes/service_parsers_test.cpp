// Pure parsers of the service probes (issue 4), without a network: each
// reply is fed at every split point and must complete only once whole.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "split_feed.h"
#include "scanner/probes/common/code_reply.h"
#include "scanner/probes/common/first_bytes.h"
#include "scanner/probes/ftp/ftp_probe.h"
#include "scanner/probes/imap/imap_probe.h"
#include "scanner/probes/memcached/memcached_probe.h"
#include "scanner/probes/mongodb/bson_lite.h"
#include "scanner/probes/mongodb/mongodb_probe.h"
#include "probe_fixtures.h"
#include "scanner/probes/mysql/mysql_probe.h"
#include "scanner/probes/pop3/pop3_probe.h"
#include "scanner/probes/postgres/postgres_probe.h"
#include "scanner/probes/smtp/smtp_probe.h"
#include "scanner/probes/ssh/ssh_probe.h"
#include "scanner/probes/telnet/telnet_parser.h"

namespace ciiscope::scanner {
namespace {

TEST(SshBannerTest, ParsesDebianOpenSsh) {
  std::string whole = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n";
  ExpectCompleteOnlyWhole(whole, ParseSshBanner);
  SshBanner b = ParseSshBanner(whole);
  EXPECT_EQ(b.proto, "2.0");
  EXPECT_EQ(b.software, "OpenSSH_9.2p1");
  EXPECT_EQ(b.comment, "Debian-2+deb12u3");
}

TEST(SshBannerTest, SkipsPreambleAndAcceptsBareLf) {
  std::string whole = "Welcome\r\nauthorized use only\nSSH-1.99-dropbear_2019.78\n";
  ExpectCompleteOnlyWhole(whole, ParseSshBanner);
  SshBanner b = ParseSshBanner(whole);
  EXPECT_EQ(b.proto, "1.99");
  EXPECT_EQ(b.software, "dropbear_2019.78");
  EXPECT_EQ(b.comment, "");
  ASSERT_EQ(b.preamble.size(), 2u);
  EXPECT_EQ(b.preamble[1], "authorized use only");
}

TEST(SshBannerTest, GarbageIsNotSsh) {
  EXPECT_FALSE(ParseSshBanner(std::string("\x00\x1b[2J\xff\xfe\n", 8)).complete);
}

TEST(CodeReplyTest, MultiLineFtpFeat) {
  std::string whole = "211-Features:\r\n EPRT\r\n UTF8\r\n AUTH TLS\r\n211 End\r\n";
  ExpectCompleteOnlyWhole(whole, ParseCodeReply);
  CodeReply r = ParseCodeReply(whole);
  EXPECT_EQ(r.code, 211);
  EXPECT_EQ(r.consumed, whole.size());
  auto features = FtpFeatures(r);
  ASSERT_EQ(features.size(), 3u);
  EXPECT_EQ(features[2], "AUTH TLS");
}

TEST(CodeReplyTest, SmtpEhloCapabilities) {
  std::string whole =
      "250-mail.demo-univ.edu.cn\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-STARTTLS\r\n"
      "250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n";
  ExpectCompleteOnlyWhole(whole, ParseCodeReply);
  auto caps = SmtpCapabilities(ParseCodeReply(whole));
  ASSERT_EQ(caps.size(), 5u);
  EXPECT_EQ(caps[2], "STARTTLS");
  EXPECT_EQ(JoinedText(ParseCodeReply("220 (vsFTPd 3.0.3)\r\n")), "(vsFTPd 3.0.3)");
}

TEST(CodeReplyTest, BareCodeAndGarbage) {
  EXPECT_TRUE(ParseCodeReply("220\r\n").complete);
  EXPECT_FALSE(ParseCodeReply("hello\r\n").well_formed);
  EXPECT_TRUE(ParseCodeReply("hello\r\n").complete);  // nothing more to wait for
  EXPECT_FALSE(ParseCodeReply("22").complete);
}

TEST(Pop3ReplyTest, GreetingAndCapa) {
  ExpectCompleteOnlyWhole("+OK Dovecot (Debian) ready.\r\n",
                          [](std::string_view b) { return ParsePop3Reply(b, false); });
  std::string capa = "+OK\r\nCAPA\r\nTOP\r\nSTLS\r\n..dot\r\n.\r\n";
  ExpectCompleteOnlyWhole(capa, [](std::string_view b) { return ParsePop3Reply(b, true); });
  Pop3Reply r = ParsePop3Reply(capa, true);
  ASSERT_EQ(r.lines.size(), 4u);
  EXPECT_EQ(r.lines[2], "STLS");
  EXPECT_EQ(r.lines[3], ".dot");
  Pop3Reply err = ParsePop3Reply("-ERR unknown\r\n", true);
  EXPECT_TRUE(err.complete);
  EXPECT_FALSE(err.ok);
  EXPECT_TRUE(err.well_formed);
}

TEST(ImapReplyTest, GreetingWithCapabilities) {
  std::string g = "* OK [CAPABILITY IMAP4rev1 SASL-IR STARTTLS LOGINDISABLED] Dovecot ready.\r\n";
  ExpectCompleteOnlyWhole(g, [](std::string_view b) { return ParseImapReply(b, ""); });
  ImapReply r = ParseImapReply(g, "");
  EXPECT_EQ(r.status, "OK");
  ASSERT_EQ(r.capabilities.size(), 4u);
  EXPECT_EQ(r.capabilities[2], "STARTTLS");
  EXPECT_EQ(r.text, "[CAPABILITY IMAP4rev1 SASL-IR STARTTLS LOGINDISABLED] Dovecot ready.");
}

TEST(ImapReplyTest, TaggedCapability) {
  std::string c = "* CAPABILITY IMAP4rev1 IDLE STARTTLS\r\na1 OK Pre-login capabilities\r\n";
  ExpectCompleteOnlyWhole(c, [](std::string_view b) { return ParseImapReply(b, "a1"); });
  ImapReply r = ParseImapReply(c, "a1");
  EXPECT_EQ(r.status, "OK");
  ASSERT_EQ(r.capabilities.size(), 3u);
  EXPECT_EQ(r.capabilities[1], "IDLE");
}

std::string MysqlPacket(std::string_view payload, char seq = 0) {
  std::string p;
  p.push_back(static_cast<char>(payload.size() & 0xff));
  p.push_back(static_cast<char>((payload.size() >> 8) & 0xff));
  p.push_back(static_cast<char>((payload.size() >> 16) & 0xff));
  p.push_back(seq);
  return p.append(payload);
}

// A MariaDB 10.11 greeting as Debian 12 sends it.
std::string MariadbGreeting() {
  std::string p("\x0a", 1);
  p += "5.5.5-10.11.6-MariaDB-0+deb12u1";
  p.push_back('\0');
  p.append("\x1f\x00\x00\x00", 4);         // connection id 31
  p.append("abcdefgh", 8);                 // auth data 1
  p.push_back('\0');                       // filler
  p.append("\xfe\xff", 2);                 // capabilities low (SSL bit 0x800 set)
  p.push_back('\x2d');                     // charset
  p.append("\x02\x00", 2);                 // status
  p.append("\xff\x81", 2);                 // capabilities high (PLUGIN_AUTH 0x80000)
  p.push_back('\x15');                     // auth data length 21
  p.append(std::string(6, '\0')).append("\x1d\x00\x00\x00", 4);  // reserved / MariaDB caps
  p.append("ijklmnopqrst", 12).push_back('\0');                   // auth data 2 (13)
  p += "mysql_native_password";
  p.push_back('\0');
  return MysqlPacket(p);
}

TEST(MysqlGreetingTest, MariadbHandshake) {
  std::string whole = MariadbGreeting();
  ExpectCompleteOnlyWhole(whole, ParseMysqlGreeting);
  MysqlGreeting g = ParseMysqlGreeting(whole);
  EXPECT_TRUE(g.well_formed);
  EXPECT_EQ(g.protocol, 10);
  EXPECT_EQ(g.server_version, "5.5.5-10.11.6-MariaDB-0+deb12u1");
  EXPECT_EQ(g.connection_id, 31u);
  EXPECT_TRUE(g.capabilities & 0x800);
  EXPECT_EQ(g.auth_plugin, "mysql_native_password");
  EXPECT_TRUE(LooksLikeMysqlGreeting(whole.substr(0, 16)));
}

TEST(MysqlGreetingTest, HostNotAllowedError) {
  std::string whole =
      MysqlPacket(std::string("\xff\x6a\x04", 3) +
                  "Host '127.0.0.2' is not allowed to connect to this MariaDB server");
  ExpectCompleteOnlyWhole(whole, ParseMysqlGreeting);
  MysqlGreeting g = ParseMysqlGreeting(whole);
  EXPECT_TRUE(g.is_error);
  EXPECT_EQ(g.error_code, 1130);
  EXPECT_EQ(g.error_message, "Host '127.0.0.2' is not allowed to connect to this MariaDB server");
}

TEST(MysqlGreetingTest, TruncatedPayloadIsNotWellFormed) {
  MysqlGreeting g = ParseMysqlGreeting(MysqlPacket(std::string("\x0a" "8.0", 4)));
  EXPECT_TRUE(g.complete);
  EXPECT_FALSE(g.well_formed);
  EXPECT_FALSE(ParseMysqlGreeting(MysqlPacket("SSH-2.0-x", 1)).well_formed);
}

std::string PgError() {
  std::string body;
  for (std::string_view f : {"SFATAL", "VFATAL", "C28000",
                             "Mno pg_hba.conf entry for host \"127.0.0.1\", user \"ciiscope\"",
                             "Fauth.c", "L543", "RClientAuthentication"}) {
    body.append(f).push_back('\0');
  }
  body.push_back('\0');
  std::string m = "E";
  uint32_t len = static_cast<uint32_t>(body.size() + 4);
  for (int s = 24; s >= 0; s -= 8) m.push_back(static_cast<char>((len >> s) & 0xff));
  return m + body;
}

TEST(PgMessageTest, ErrorResponseFields) {
  std::string whole = PgError();
  ExpectCompleteOnlyWhole(whole, ParsePgMessage);
  PgMessage m = ParsePgMessage(whole);
  EXPECT_TRUE(m.well_formed);
  EXPECT_EQ(m.fields['C'], "28000");
  EXPECT_EQ(m.fields['F'], "auth.c");
  EXPECT_EQ(m.fields['R'], "ClientAuthentication");
}

TEST(PgMessageTest, SaslAuthenticationRequest) {
  std::string whole("R\0\0\0\x17\0\0\0\x0aSCRAM-SHA-256\0\0", 24);
  ExpectCompleteOnlyWhole(whole, ParsePgMessage);
  PgMessage m = ParsePgMessage(whole);
  EXPECT_EQ(m.type, 'R');
  EXPECT_EQ(m.auth_code, 10);
  EXPECT_EQ(PgAuthName(m.auth_code), "sasl");
  EXPECT_EQ(PgSslRequest(), std::string("\0\0\0\x08\x04\xd2\x16\x2f", 8));
  std::string startup = PgStartupMessage("u", "d");
  EXPECT_EQ(static_cast<size_t>(startup[3]), startup.size());
}

TEST(PgMessageTest, HttpIsNotPostgres) {
  PgMessage m = ParsePgMessage("HTTP/1.1 400 Bad Request\r\n");
  EXPECT_TRUE(m.complete);
  EXPECT_FALSE(m.well_formed);
}

// {version: "7.0.4", ok: 1.0, versionArray: [7, 0, 4, 0], openssl: {…}}
std::string BuildInfoDoc() {
  std::string body;
  body.append("\x02version\0\x06\0\0\0" "7.0.4\0", 19);
  body.append("\x04versionArray\0", 14);
  body.append("\x21\0\0\0" "\x10" "0\0\x07\0\0\0" "\x10" "1\0\0\0\0\0" "\x10" "2\0\x04\0\0\0"
              "\x10" "3\0\0\0\0\0" "\0", 33);
  body.append("\x03openssl\0\x05\0\0\0\0", 14);
  body.append("\x01ok\0\0\0\0\0\0\0\xf0\x3f", 12);
  std::string doc;
  uint32_t len = static_cast<uint32_t>(body.size() + 5);
  for (int i = 0; i < 4; ++i) doc.push_back(static_cast<char>((len >> (8 * i)) & 0xff));
  return doc + body + std::string(1, '\0');
}

TEST(MongoReplyTest, BuildInfoFields) {
  std::string whole = MongoReplyMsg(BuildInfoDoc());
  ExpectCompleteOnlyWhole(whole, ParseMongoReply);
  MongoReply r = ParseMongoReply(whole);
  ASSERT_TRUE(r.well_formed);
  EXPECT_EQ(r.fields["version"], "7.0.4");
  EXPECT_EQ(r.fields["versionArray"], nlohmann::json({7, 0, 4, 0}));
  EXPECT_EQ(r.fields["ok"], 1.0);
  EXPECT_FALSE(r.fields.contains("openssl"));
}

TEST(MongoReplyTest, CommandRoundTripsAndGarbageIsRejected) {
  BsonFields f = ReadBsonTopLevel(BsonCommand("isMaster", "admin"));
  ASSERT_TRUE(f.ok);
  EXPECT_EQ(f.fields["isMaster"], 1);
  EXPECT_EQ(f.fields["$db"], "admin");
  std::string msg = MongoOpMsg("isMaster", 1);
  EXPECT_EQ(static_cast<size_t>(static_cast<unsigned char>(msg[0])), msg.size());
  std::string bad = BuildInfoDoc();
  bad[13] = '\x7f';  // string length far past the end
  EXPECT_FALSE(ReadBsonTopLevel(bad).ok);
  EXPECT_FALSE(ParseMongoReply("SSH-2.0-OpenSSH_9.2p1\r\n").well_formed);
}

TEST(MemcachedTest, VersionAndStats) {
  ExpectCompleteOnlyWhole("VERSION 1.6.18\r\n", ParseMemcachedVersion);
  EXPECT_EQ(ParseMemcachedVersion("VERSION 1.6.18\r\n").version, "1.6.18");
  std::string stats = "STAT pid 812\r\nSTAT uptime 3600\r\nSTAT version 1.6.18\r\nEND\r\n";
  ExpectCompleteOnlyWhole(stats, ParseMemcachedStats);
  MemcachedStats s = ParseMemcachedStats(stats);
  EXPECT_EQ(s.stats["uptime"], "3600");
  EXPECT_EQ(ParseMemcachedStats("ERROR\r\n").error, "ERROR");
  EXPECT_FALSE(ParseMemcachedVersion("-ERR unknown command\r\n").well_formed);
}

TEST(TelnetParserTest, StripsNegotiationAtEverySplit) {
  // DO TERMINAL-TYPE, WILL ECHO, SB TERMINAL-TYPE SEND IAC SE, IAC IAC, text.
  static constexpr char kBytes[] =
      "\xff\xfd\x18\xff\xfb\x01\xff\xfa\x18\x01\xff\xf0"
      "Debian GNU/Linux 12\r\n\xff\xff" "login: ";
  std::string whole(kBytes, sizeof(kBytes) - 1);
  TelnetParser once;
  once.Feed(whole);
  EXPECT_EQ(once.text(), "Debian GNU/Linux 12\r\n\xff" "login: ");
  EXPECT_EQ(once.negotiation(), (std::vector<std::string>{"DO 24", "WILL 1", "SB 24"}));
  EXPECT_EQ(once.TakeReplies(), std::string("\xff\xfc\x18\xff\xfe\x01", 6));
  EXPECT_EQ(once.TakeReplies(), "");
  for (size_t i = 0; i <= whole.size(); ++i) {
    TelnetParser split;
    split.Feed(std::string_view(whole).substr(0, i));
    split.Feed(std::string_view(whole).substr(i));
    EXPECT_EQ(split.text(), once.text()) << i;
    EXPECT_EQ(split.negotiation(), once.negotiation()) << i;
  }
}

TEST(TelnetParserTest, CapsTextAndAnswersEachOptionOnce) {
  TelnetParser p(8);
  p.Feed("\xff\xfd\x18\xff\xfd\x18 0123456789");
  EXPECT_EQ(p.text(), " 0123456");
  EXPECT_TRUE(p.truncated());
  EXPECT_EQ(p.TakeReplies(), "\xff\xfc\x18");
}

TEST(FirstBytesTest, NamesProbes) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(ProbesForFirstBytes("SSH-2.0-OpenSSH_"), V{"ssh"});
  EXPECT_EQ(ProbesForFirstBytes("220 mail.demo-un"), (V{"ftp", "smtp"}));
  EXPECT_EQ(ProbesForFirstBytes("+OK Dovecot read"), V{"pop3"});
  EXPECT_EQ(ProbesForFirstBytes("* OK [CAPABILITY"), V{"imap"});
  EXPECT_EQ(ProbesForFirstBytes(MariadbGreeting().substr(0, 16)), V{"mysql"});
  EXPECT_EQ(ProbesForFirstBytes("\xff\xfd\x18"), V{"telnet"});
  EXPECT_TRUE(ProbesForFirstBytes("HTTP/1.1 200 OK").empty());
  EXPECT_TRUE(ProbesForFirstBytes("").empty());
}

}  // namespace
}  // namespace ciiscope::scanner
