#include "service/alerts.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/clock.h"

namespace ciiscope::service {

namespace {

using Ms = int64_t;

Ms NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string SeverityWord(const std::string& sev, bool zh) {
  static const std::map<std::string, std::pair<const char*, const char*>> kWords = {
      {"critical", {"严重", "CRITICAL"}}, {"high", {"高危", "HIGH"}}, {"medium", {"中危", "MEDIUM"}},
      {"low", {"低危", "LOW"}},           {"info", {"信息", "INFO"}}};
  auto it = kWords.find(sev);
  if (it == kWords.end()) return sev;
  return zh ? it->second.first : it->second.second;
}

std::string KindWord(const std::string& kind, bool zh) {
  if (kind == "new_finding") return zh ? "新发现问题" : "new finding";
  if (kind == "new_service") return zh ? "新开放服务" : "new open service";
  if (kind == "new_shadow_asset") return zh ? "新影子资产" : "new shadow asset";
  if (kind == "job_failed") return zh ? "任务失败" : "job failed";
  if (kind == "reopened_finding") return zh ? "问题复现" : "reopened finding";
  if (kind == "alerts_summarised") return zh ? "告警汇总" : "alerts summarised";
  return kind;
}

// Control characters out: alert text goes into headers and log lines.
std::string OneLine(std::string s) {
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return s;
}

struct Endpoint {
  std::string host;
  int port = 0;
  std::string path = "/";
};

Result<Endpoint> ParseHostPort(std::string_view text, int default_port) {
  Endpoint e;
  std::string_view host = text;
  if (size_t colon = text.rfind(':'); colon != std::string_view::npos && text.find(']') == text.npos) {
    host = text.substr(0, colon);
    std::string port(text.substr(colon + 1));
    char* end = nullptr;
    long p = std::strtol(port.c_str(), &end, 10);
    if (port.empty() || *end != '\0' || p < 1 || p > 65535) {
      return Error(ErrorCode::kInvalidArgument, "bad port in '" + std::string(text) + "'");
    }
    e.port = static_cast<int>(p);
  } else {
    e.port = default_port;
  }
  e.host = host == "localhost" ? "127.0.0.1" : std::string(host);
  in_addr a4{};
  if (inet_pton(AF_INET, e.host.c_str(), &a4) != 1) {
    return Error(ErrorCode::kInvalidArgument,
                 "'" + e.host + "' is not an IPv4 address or localhost (alert sinks do not resolve names)");
  }
  return e;
}

class Socket {
 public:
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Connect(const Endpoint& e, Ms deadline) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return Fail("socket");
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(e.port));
    inet_pton(AF_INET, e.host.c_str(), &sa.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 && errno != EINPROGRESS) {
      return Fail("connect to " + e.host + ":" + std::to_string(e.port));
    }
    CII_RETURN_IF_ERROR(Wait(POLLOUT, deadline, "connect"));
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      errno = err;
      return Fail("connect to " + e.host + ":" + std::to_string(e.port));
    }
    return Ok();
  }
  Status SendAll(std::string_view data, Ms deadline) {
    while (!data.empty()) {
      CII_RETURN_IF_ERROR(Wait(POLLOUT, deadline, "send"));
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        return Fail("send");
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Ok();
  }
  // Reads until `done(buffer)` or EOF; at most `cap` bytes.
  Result<std::string> ReadUntil(const std::function<bool(const std::string&)>& done, Ms deadline,
                                size_t cap = 16384) {
    std::string buf;
    char chunk[2048];
    while (!done(buf)) {
      if (buf.size() >= cap) return Error(ErrorCode::kIo, "reply longer than " + std::to_string(cap) + " bytes");
      CII_RETURN_IF_ERROR(Wait(POLLIN, deadline, "reply"));
      ssize_t n = ::recv(fd_, chunk, std::min(sizeof chunk, cap - buf.size()), 0);
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        return Fail("recv");
      }
      if (n == 0) break;
      buf.append(chunk, static_cast<size_t>(n));
    }
    return buf;
  }

 private:
  Status Wait(short events, Ms deadline, const std::string& what) {
    while (true) {
      Ms left = deadline - NowMs();
      if (left <= 0) return Error(ErrorCode::kIo, what + " timed out");
      pollfd p{fd_, events, 0};
      int r = ::poll(&p, 1, static_cast<int>(left));
      if (r > 0) return Ok();
      if (r < 0 && errno != EINTR) return Fail("poll");
    }
  }
  Error Fail(const std::string& what) { return Error(ErrorCode::kIo, what + ": " + std::strerror(errno)); }
  int fd_ = -1;
};

Status PostWebhook(const AlertSink& sink, const std::string& body) {
  std::string url = sink.url;
  if (url.starts_with("https://")) {
    return Error(ErrorCode::kUnsupported, "webhook " + url + ": https is not supported yet; use http to a local relay");
  }
  std::string rest = url.substr(7);
  size_t slash = rest.find('/');
  CII_ASSIGN_OR_RETURN(Endpoint e, ParseHostPort(rest.substr(0, slash), 80));
  if (slash != std::string::npos) e.path = rest.substr(slash);
  std::string request = "POST " + e.path + " HTTP/1.1\r\nHost: " + e.host + ":" + std::to_string(e.port) +
                        "\r\nUser-Agent: ciiscope\r\nContent-Type: application/json; charset=utf-8\r\n"
                        "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n";
  if (!sink.secret.empty()) {
    request += "X-Ciiscope-Signature: sha256=" + HmacSha256Hex(sink.secret, body) + "\r\n";
  }
  request += "\r\n" + body;
  Status last = Ok();
  for (int attempt = 0; attempt <= sink.retries; ++attempt) {
    if (attempt > 0) {
      // 250 ms, 500 ms, 1 s, … capped at 8 s.
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(8000, 250LL << (attempt - 1))));
    }
    last = [&]() -> Status {
      const Ms deadline = NowMs() + sink.timeout_ms;
      Socket s;
      CII_RETURN_IF_ERROR(s.Connect(e, deadline));
      CII_RETURN_IF_ERROR(s.SendAll(request, deadline));
      CII_ASSIGN_OR_RETURN(std::string reply, s.ReadUntil([](const std::string& b) { return b.find("\r\n") != b.npos; }, deadline));
      int status = 0;
      if (std::sscanf(reply.c_str(), "HTTP/1.%*d %d", &status) != 1) {
        return Error(ErrorCode::kIo, "webhook " + url + ": not an HTTP reply");
      }
      if (status < 200 || status > 299) {
        return Error(ErrorCode::kIo, "webhook " + url + ": HTTP " + std::to_string(status));
      }
      return Ok();
    }();
    if (last) return last;
  }
  return Error(last.error().code(), last.error().message() + " (after " + std::to_string(sink.retries + 1) + " attempts)");
}

std::string Base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Status SendMail(const AlertSink& sink, const Alert& alert, const std::string& lang) {
  CII_ASSIGN_OR_RETURN(Endpoint e, ParseHostPort(sink.address, 25));
  const Ms deadline = NowMs() + sink.timeout_ms;
  Socket s;
  CII_RETURN_IF_ERROR(s.Connect(e, deadline));
  // Reads one (possibly multi-line) reply and checks its code class.
  auto expect = [&](char cls, const std::string& step) -> Status {
    CII_ASSIGN_OR_RETURN(std::string reply, s.ReadUntil([](const std::string& b) {
      // Complete when the last line is "NNN text\r\n" (no dash).
      if (b.size() < 5 || !b.ends_with("\r\n")) return false;
      size_t start = b.rfind("\r\n", b.size() - 3);
      start = start == std::string::npos ? 0 : start + 2;
      return b.size() - start >= 4 && b[start + 3] == ' ';
    }, deadline));
    if (reply.empty() || reply[0] != cls) {
      return Error(ErrorCode::kIo, "smtp " + sink.address + ": " + step + ": " + OneLine(reply.substr(0, 200)));
    }
    return Ok();
  };
  auto command = [&](const std::string& line, char cls, const std::string& step) -> Status {
    CII_RETURN_IF_ERROR(s.SendAll(line + "\r\n", deadline));
    return expect(cls, step);
  };
  CII_RETURN_IF_ERROR(expect('2', "greeting"));
  CII_RETURN_IF_ERROR(command("EHLO ciiscope", '2', "EHLO"));
  CII_RETURN_IF_ERROR(command("MAIL FROM:<" + OneLine(sink.from) + ">", '2', "MAIL FROM"));
  for (const auto& to : sink.to) CII_RETURN_IF_ERROR(command("RCPT TO:<" + OneLine(to) + ">", '2', "RCPT TO"));
  CII_RETURN_IF_ERROR(command("DATA", '3', "DATA"));
  std::string text = AlertText(alert, lang);
  std::string to_list;
  for (const auto& to : sink.to) to_list += (to_list.empty() ? "" : ", ") + OneLine(to);
  std::string msg = "From: <" + OneLine(sink.from) + ">\r\nTo: " + to_list + "\r\nSubject: =?UTF-8?B?" +
                    Base64(text.substr(0, 180)) + "?=\r\nMIME-Version: 1.0\r\n"
                    "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  std::string body = Base64(text + "\n\n" + AlertJson(alert, lang) + "\n");
  for (size_t i = 0; i < body.size(); i += 76) msg += body.substr(i, 76) + "\r\n";  // base64 never starts a line with '.'
  CII_RETURN_IF_ERROR(s.SendAll(msg + ".\r\n", deadline));
  CII_RETURN_IF_ERROR(expect('2', "message"));
  (void)command("QUIT", '2', "QUIT");
  return Ok();
}

int FacilityCode(const std::string& f) {
  static const std::map<std::string, int> kCodes = {
      {"kern", 0},    {"user", 1},    {"mail", 2},    {"daemon", 3},  {"auth", 4},
      {"syslog", 5},  {"local0", 16}, {"local1", 17}, {"local2", 18}, {"local3", 19},
      {"local4", 20}, {"local5", 21}, {"local6", 22}, {"local7", 23}};
  auto it = kCodes.find(f);
  return it == kCodes.end() ? 3 : it->second;
}

Status SendSyslog(const AlertSink& sink, const Alert& alert, const std::string& lang) {
  char host[256] = "-";
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::strcpy(host, "-");
  std::string line = SyslogLine(alert, lang, sink.facility, host, static_cast<int>(getpid()));
  int fd = -1;
  if (sink.address.starts_with("/")) {
    fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un su{};
    su.sun_family = AF_UNIX;
    if (sink.address.size() >= sizeof su.sun_path) return Error(ErrorCode::kInvalidArgument, "syslog socket path too long");
    std::memcpy(su.sun_path, sink.address.c_str(), sink.address.size() + 1);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&su), sizeof su) != 0) {
      if (fd >= 0) ::close(fd);
      return Error(ErrorCode::kIo, "syslog " + sink.address + ": " + std::strerror(errno));
    }
  } else {
    CII_ASSIGN_OR_RETURN(Endpoint e, ParseHostPort(sink.address, 514));
    fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(e.port));
    inet_pton(AF_INET, e.host.c_str(), &sa.sin_addr);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
      if (fd >= 0) ::close(fd);
      return Error(ErrorCode::kIo, "syslog " + sink.address + ": " + std::strerror(errno));
    }
  }
  ssize_t n = ::send(fd, line.data(), line.size(), MSG_NOSIGNAL);
  int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(line.size())) {
    return Error(ErrorCode::kIo, "syslog " + sink.address + ": " + std::strerror(err));
  }
  return Ok();
}

Status AppendFile(const AlertSink& sink, const Alert& alert, const std::string& lang) {
  std::string line = AlertJson(alert, lang) + "\n";
  int fd = ::open(sink.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return Error(ErrorCode::kIo, sink.path + ": " + std::strerror(errno));
  ssize_t n = ::write(fd, line.data(), line.size());  // one write: O_APPEND keeps lines whole
  int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(line.size())) return Error(ErrorCode::kIo, sink.path + ": " + std::strerror(err));
  return Ok();
}

}  // namespace

int SeverityLevel(std::string_view severity) {
  static const std::map<std::string, int, std::less<>> kRank = {
      {"info", 0}, {"low", 1}, {"medium", 2}, {"high", 3}, {"critical", 4}};
  auto it = kRank.find(severity);
  return it == kRank.end() ? 0 : it->second;
}

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex += kHex[out[i] >> 4];
    hex += kHex[out[i] & 15];
  }
  return hex;
}

std::string AlertText(const Alert& a, const std::string& lang) {
  const bool zh = lang == "zh";
  std::string s = "[" + SeverityWord(a.severity, zh) + "] " + KindWord(a.kind, zh) + (zh ? "：" : ": ") + a.target;
  const std::string& title = zh ? a.title_zh : a.title_en;
  if (!title.empty()) s += " " + title;
  if (!a.rule.empty()) s += " (" + a.rule + ")";
  if (!a.key_period.empty()) s += zh ? "（重保期 " + a.key_period + "）" : " [key period " + a.key_period + "]";
  return OneLine(s);
}

std::string AlertJson(const Alert& a, const std::string& lang) {
  nlohmann::json j{{"kind", a.kind},         {"severity", a.severity}, {"target", a.target},
                   {"rule", a.rule},         {"key", a.key},           {"key_period", a.key_period},
                   {"time", core::FormatIsoTime(a.time_ms)}, {"message", AlertText(a, lang)}, {"lang", lang}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string SyslogLine(const Alert& a, const std::string& lang, const std::string& facility,
                       const std::string& host, int pid) {
  static const std::map<std::string, int> kSev = {{"critical", 2}, {"high", 3}, {"medium", 4}, {"low", 5}, {"info", 6}};
  auto it = kSev.find(a.severity);
  int pri = FacilityCode(facility) * 8 + (it == kSev.end() ? 5 : it->second);
  std::string ts = core::FormatIsoTime(a.time_ms);
  // RFC 5424 HEADER SP STRUCTURED-DATA SP MSG; the message is UTF-8 with a BOM.
  return "<" + std::to_string(pri) + ">1 " + ts + " " + OneLine(host).substr(0, 255) + " ciiscope " +
         std::to_string(pid) + " ALERT - \xEF\xBB\xBF" + AlertText(a, lang);
}

Status Deliver(const AlertSink& sink, const Alert& alert, const std::string& default_lang) {
  const std::string lang = sink.lang.empty() ? (default_lang.empty() ? "en" : default_lang) : sink.lang;
  if (sink.type == "file") return AppendFile(sink, alert, lang);
  if (sink.type == "webhook") return PostWebhook(sink, AlertJson(alert, lang));
  if (sink.type == "syslog") return SendSyslog(sink, alert, lang);
  if (sink.type == "email") return SendMail(sink, alert, lang);
  return Error(ErrorCode::kInvalidArgument, "unknown sink type '" + sink.type + "'");
}

AlertDispatcher::AlertDispatcher(std::vector<AlertSink> sinks, std::string lang, int rate_per_hour, Clock clock)
    : sinks_(std::move(sinks)), lang_(std::move(lang)), rate_per_hour_(rate_per_hour), clock_(std::move(clock)) {}

AlertDispatcher::Outcome AlertDispatcher::Dispatch(const Alert& alert, const std::string& period) {
  Outcome out;
  const std::string dedup = period + "\n" + alert.key;
  if (seen_.count(dedup)) {
    out.skipped = "duplicate";
    return out;
  }
  const int64_t now = clock_();
  std::erase_if(sent_times_, [now](int64_t t) { return t <= now - 3600000; });
  if (static_cast<int>(sent_times_.size()) >= rate_per_hour_) {
    out.skipped = "rate limited";
    return out;
  }
  seen_[dedup] = true;
  sent_times_.push_back(now);
  out.sent = true;
  for (const auto& sink : sinks_) {
    if (!sink.min_severity.empty() && SeverityLevel(alert.severity) < SeverityLevel(sink.min_severity)) continue;
    if (auto st = Deliver(sink, alert, lang_); !st) out.errors.push_back(sink.type + ": " + st.error().message());
  }
  return out;
}

}  // namespace ciiscope::service
