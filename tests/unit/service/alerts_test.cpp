// Alert delivery to receivers this test starts on loopback: an HTTP listener
// (which fails the first attempt, so the retry is exercised), an SMTP sink,
// a UDP syslog receiver and a file; then de-duplication and the rate limit.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "service/alerts.h"

namespace ciiscope::service {
namespace {

// A listening or UDP socket on 127.0.0.1 with an ephemeral port.
int Bind(int type, int& port) {
  int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  socklen_t len = sizeof sa;
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  port = ntohs(sa.sin_port);
  if (type == SOCK_STREAM) listen(fd, 8);
  return fd;
}

// Reads with a 5 s bound until `done` or EOF.
std::string ReadUntil(int fd, const std::function<bool(const std::string&)>& done) {
  std::string buf;
  char chunk[4096];
  while (!done(buf) && buf.size() < 1 << 20) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 5000) <= 0) break;
    ssize_t n = recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) break;
    buf.append(chunk, static_cast<size_t>(n));
  }
  return buf;
}

void SendAll(int fd, const std::string& s) { (void)!send(fd, s.data(), s.size(), MSG_NOSIGNAL); }

int AcceptWithin(int listener) {
  pollfd p{listener, POLLIN, 0};
  if (poll(&p, 1, 10000) <= 0) return -1;
  return accept(listener, nullptr, nullptr);
}

Alert Sample() {
  Alert a;
  a.key = "redis-unauth|127.77.0.5|6379";
  a.kind = "new_finding";
  a.severity = "high";
  a.target = "127.77.0.5:6379";
  a.rule = "exposure.redis.unauth";
  a.title_zh = "Redis 未授权访问";
  a.title_en = "Redis without authentication";
  a.key_period = "gaokao";
  a.time_ms = 1780000000000;
  return a;
}

TEST(Alerts, MessagesInChineseAndEnglish) {
  Alert a = Sample();
  EXPECT_EQ(AlertText(a, "zh"),
            "[高危] 新发现问题：127.77.0.5:6379 Redis 未授权访问 (exposure.redis.unauth)（重保期 gaokao）");
  EXPECT_EQ(AlertText(a, "en"),
            "[HIGH] new finding: 127.77.0.5:6379 Redis without authentication "
            "(exposure.redis.unauth) [key period gaokao]");
  a.title_en = "evil\r\nInjected: header";
  EXPECT_EQ(AlertText(a, "en").find('\n'), std::string::npos);
  // RFC 4231 test case 2.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Alerts, WebhookRetriesAndSigns) {
  int port = 0;
  int listener = Bind(SOCK_STREAM, port);
  std::string got;
  std::atomic<int> connections{0};
  std::thread server([&] {
    for (int i = 0; i < 2; ++i) {
      int c = AcceptWithin(listener);
      if (c < 0) return;
      ++connections;
      std::string req = ReadUntil(c, [](const std::string& b) {
        size_t end = b.find("\r\n\r\n");
        if (end == std::string::npos) return false;
        size_t cl = b.find("Content-Length: ");
        return cl != std::string::npos && b.size() >= end + 4 + std::stoul(b.substr(cl + 16));
      });
      if (i == 0) {
        SendAll(c, "HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n");
      } else {
        got = req;
        SendAll(c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
      }
      close(c);
    }
  });
  AlertSink sink;
  sink.type = "webhook";
  sink.url = "http://127.0.0.1:" + std::to_string(port) + "/hook";
  sink.secret = "s3cret";
  sink.timeout_ms = 3000;
  sink.retries = 2;
  Status st = Deliver(sink, Sample(), "en");
  server.join();
  close(listener);
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(connections.load(), 2);
  ASSERT_TRUE(got.starts_with("POST /hook HTTP/1.1\r\n")) << got;
  std::string body = got.substr(got.find("\r\n\r\n") + 4);
  EXPECT_NE(got.find("X-Ciiscope-Signature: sha256=" + HmacSha256Hex("s3cret", body) + "\r\n"),
            std::string::npos)
      << got;
  EXPECT_NE(body.find("\"kind\":\"new_finding\""), std::string::npos) << body;
}

TEST(Alerts, WebhookGivesUpAfterBoundedRetries) {
  int port = 0;
  int listener = Bind(SOCK_STREAM, port);  // listens, never answers
  AlertSink sink;
  sink.type = "webhook";
  sink.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  sink.timeout_ms = 200;
  sink.retries = 1;
  auto start = std::chrono::steady_clock::now();
  Status st = Deliver(sink, Sample(), "en");
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  close(listener);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message().find("(after 2 attempts)"), std::string::npos) << st.error().message();
  EXPECT_LT(secs, 3.0);
  sink.url = "http://example.org/";
  EXPECT_FALSE(Deliver(sink, Sample(), "en"));  // names are never resolved
}

TEST(Alerts, SmtpSinkGetsTheMail) {
  int port = 0;
  int listener = Bind(SOCK_STREAM, port);
  std::string transcript;
  std::thread server([&] {
    int c = AcceptWithin(listener);
    if (c < 0) return;
    SendAll(c, "220 sink ESMTP\r\n");
    auto line = [&] { return ReadUntil(c, [](const std::string& b) { return b.ends_with("\r\n"); }); };
    std::string l = line();  // EHLO
    transcript += l;
    SendAll(c, "250-sink\r\n250 8BITMIME\r\n");
    while (true) {
      l = line();
      transcript += l;
      if (l.empty() || l.starts_with("QUIT")) break;
      if (l.starts_with("DATA")) {
        SendAll(c, "354 go on\r\n");
        transcript += ReadUntil(c, [](const std::string& b) { return b.ends_with("\r\n.\r\n"); });
        SendAll(c, "250 queued\r\n");
      } else {
        SendAll(c, "250 ok\r\n");
      }
    }
    SendAll(c, "221 bye\r\n");
    close(c);
  });
  AlertSink sink;
  sink.type = "email";
  sink.address = "127.0.0.1:" + std::to_string(port);
  sink.from = "ciiscope@edu.example";
  sink.to = {"soc@edu.example", "cio@edu.example"};
  sink.lang = "zh";
  Status st = Deliver(sink, Sample(), "en");
  server.join();
  close(listener);
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_NE(transcript.find("MAIL FROM:<ciiscope@edu.example>\r\n"), std::string::npos) << transcript;
  EXPECT_NE(transcript.find("RCPT TO:<cio@edu.example>\r\n"), std::string::npos);
  EXPECT_NE(transcript.find("Subject: =?UTF-8?B?"), std::string::npos);
  EXPECT_NE(transcript.find("charset=UTF-8"), std::string::npos);
}

TEST(Alerts, SyslogRfc5424OverUdp) {
  int port = 0;
  int fd = Bind(SOCK_DGRAM, port);
  AlertSink sink;
  sink.type = "syslog";
  sink.address = "127.0.0.1:" + std::to_string(port);
  sink.facility = "local3";
  ASSERT_TRUE(Deliver(sink, Sample(), "en"));
  std::string msg = ReadUntil(fd, [](const std::string& b) { return !b.empty(); });
  close(fd);
  // local3 (19) * 8 + error (3) for high.
  EXPECT_TRUE(msg.starts_with("<155>1 2026-05-28T")) << msg;
  EXPECT_NE(msg.find(" ciiscope " + std::to_string(getpid()) + " ALERT - \xEF\xBB\xBF[HIGH]"),
            std::string::npos)
      << msg;
}

TEST(Alerts, DispatcherDeduplicatesPerPeriodAndRateLimits) {
  std::string path = (std::filesystem::temp_directory_path() / ("cii-alerts-" + std::to_string(getpid()) + ".jsonl")).string();
  std::filesystem::remove(path);
  AlertSink file;
  file.type = "file";
  file.path = path;
  AlertSink critical_only = file;
  critical_only.path = path + ".crit";
  critical_only.min_severity = "critical";
  int64_t now = 1780000000000;
  AlertDispatcher d({file, critical_only}, "en", 3, [&] { return now; });
  Alert a = Sample();
  EXPECT_TRUE(d.Dispatch(a, "gaokao").sent);
  EXPECT_EQ(d.Dispatch(a, "gaokao").skipped, "duplicate");
  EXPECT_TRUE(d.Dispatch(a, "next-period").sent);  // once per period
  Alert b = a;
  b.key = "other";
  EXPECT_TRUE(d.Dispatch(b, "gaokao").sent);
  Alert c = a;
  c.key = "third";
  EXPECT_EQ(d.Dispatch(c, "gaokao").skipped, "rate limited");  // 3 per hour
  now += 3600001;
  EXPECT_TRUE(d.Dispatch(c, "gaokao").sent);
  std::ifstream in(path);
  int lines = 0;
  for (std::string l; std::getline(in, l);) ++lines;
  EXPECT_EQ(lines, 4);
  EXPECT_FALSE(std::filesystem::exists(path + ".crit"));  // high < critical
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace ciiscope::service
