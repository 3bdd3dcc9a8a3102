#include "app/demo/web_content.h"

#include <array>
#include <cstdint>
#include <ctime>

namespace ciiscope::app::demo {

namespace {

constexpr std::string_view kPortalPage = R"(<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>统一身份认证 - 示范大学</title>
<link rel="icon" href="/favicon.ico">
<link rel="stylesheet" href="/authserver/custom/css/login.css">
</head>
<body>
<div class="auth_page_wrapper">
  <div class="auth_logo"><img src="/authserver/custom/images/logo.png" alt="示范大学"></div>
  <div class="auth_login_content">
    <h2>统一身份认证</h2>
    <form id="casLoginForm" method="post" action="/authserver/login?service=http%3A%2F%2Fportal.demo-univ.edu.cn%2Findex.portal">
      <p><input id="username" name="username" type="text" placeholder="学号/工号" autocomplete="off"></p>
      <p><input id="password" name="password" type="password" placeholder="密码"></p>
      <input type="hidden" name="lt" value="LT-8241-demo-cas">
      <input type="hidden" name="execution" value="e1s1">
      <input type="hidden" name="_eventId" value="submit">
      <p><button type="submit" class="auth_login_btn">登录</button></p>
      <p><a href="/authserver/getBackPasswordMainPage.do">忘记密码？</a></p>
    </form>
  </div>
  <div class="auth_footer">版权所有 © 示范大学 信息化建设与管理中心</div>
</div>
</body>
</html>
)";

constexpr std::string_view kLoginFailedPage = R"(<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="UTF-8"><title>统一身份认证 - 示范大学</title></head>
<body><div id="msg" class="auth_error">您提供的用户名或者密码有误</div>
<p><a href="/authserver/login">返回登录</a></p></body>
</html>
)";

// The stock nginx index.html, byte for byte.
constexpr std::string_view kNginxDefaultPage = R"(<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
)";

constexpr std::string_view kWwwPage = R"(<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="UTF-8">
<title>示范大学</title>
</head>
<body>
<header><h1>示范大学</h1><nav><a href="/xxgk/">学校概况</a> <a href="/jgsz/">机构设置</a> <a href="https://portal.demo-univ.edu.cn/">信息门户</a></nav></header>
<main><h2>新闻动态</h2><ul><li>我校召开网络安全和信息化工作会议</li><li>关于开展2024年网络安全攻防演练的通知</li></ul></main>
<footer>示范大学 版权所有</footer>
</body>
</html>
)";

std::string NotFoundPage(std::string_view server) {
  return "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not "
         "Found</h1></center>\r\n<hr><center>" +
         std::string(server) + "</center>\r\n</body>\r\n</html>\r\n";
}

std::string BadRequestPage(std::string_view server) {
  return "<html>\r\n<head><title>400 Bad Request</title></head>\r\n<body>\r\n<center><h1>400 Bad "
         "Request</h1></center>\r\n<hr><center>" +
         std::string(server) + "</center>\r\n</body>\r\n</html>\r\n";
}

std::string HttpDate() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::array<char, 64> buf{};
  size_t n = std::strftime(buf.data(), buf.size(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf.data(), n);
}

std::string_view ServerHeader(WebSite site) {
  return site == WebSite::kPortal ? "nginx/1.18.0" : "nginx/1.22.1";
}

struct Reply {
  int status = 200;
  std::string content_type = "text/html";
  std::string body;
  std::string extra_headers;  // each ending in \r\n
};

std::string Render(WebSite site, const Reply& reply, bool head_only) {
  std::string_view reason = reply.status == 200   ? "OK"
                            : reply.status == 404 ? "Not Found"
                            : reply.status == 405 ? "Not Allowed"
                                                  : "Bad Request";
  std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " " + std::string(reason) + "\r\n";
  out += "Server: " + std::string(ServerHeader(site)) + "\r\n";
  out += "Date: " + HttpDate() + "\r\n";
  out += "Content-Type: " + reply.content_type + "\r\n";
  out += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n";
  out += "Connection: close\r\n";
  out += reply.extra_headers;
  out += "\r\n";
  if (!head_only) out += reply.body;
  return out;
}

bool PathIs(std::string_view target, std::string_view path) {
  if (target.substr(0, path.size()) != path) return false;
  return target.size() == path.size() || target[path.size()] == '?';
}

Reply PortalReply(const HttpRequest& req) {
  Reply r;
  if (PathIs(req.target, "/favicon.ico")) {
    r.content_type = "image/x-icon";
    r.body = PortalFavicon();
    return r;
  }
  if (PathIs(req.target, "/.git/HEAD")) {
    // Deployed with `git clone` into the web root: the repository is public.
    r.content_type = "application/octet-stream";
    r.body = "ref: refs/heads/master\n";
    return r;
  }
  if (PathIs(req.target, "/") || PathIs(req.target, "/authserver/login") ||
      PathIs(req.target, "/index.html")) {
    r.content_type = "text/html;charset=UTF-8";
    r.body = std::string(req.method == "POST" ? kLoginFailedPage : kPortalPage);
    // No X-Frame-Options, no Content-Security-Policy, cookie without Secure.
    r.extra_headers = "Set-Cookie: JSESSIONID=9F3B7C1E2D4A6B8C0E1F3A5B7C9D1E2F; Path=/authserver; HttpOnly\r\n";
    return r;
  }
  r.status = 404;
  r.body = NotFoundPage(ServerHeader(WebSite::kPortal));
  return r;
}

Reply NginxDefaultReply(const HttpRequest& req) {
  Reply r;
  if (PathIs(req.target, "/") || PathIs(req.target, "/index.html")) {
    if (req.method == "POST") {
      r.status = 405;
      r.body = "<html>\r\n<head><title>405 Not Allowed</title></head>\r\n<body>\r\n<center><h1>405 "
               "Not Allowed</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n";
      return r;
    }
    r.body = std::string(kNginxDefaultPage);
    r.extra_headers =
        "Last-Modified: Wed, 19 Oct 2022 07:56:21 GMT\r\nETag: \"634fada5-267\"\r\nAccept-Ranges: bytes\r\n";
    return r;
  }
  r.status = 404;
  r.body = NotFoundPage(ServerHeader(WebSite::kNginxDefault));
  return r;
}

Reply WwwTlsReply(const HttpRequest& req) {
  Reply r;
  r.extra_headers =
      "Strict-Transport-Security: max-age=31536000; includeSubDomains\r\n"
      "X-Frame-Options: SAMEORIGIN\r\n"
      "X-Content-Type-Options: nosniff\r\n"
      "Content-Security-Policy: default-src 'self'\r\n";
  if (PathIs(req.target, "/") || PathIs(req.target, "/index.html")) {
    r.content_type = "text/html; charset=utf-8";
    r.body = std::string(kWwwPage);
    return r;
  }
  r.status = 404;
  r.body = NotFoundPage(ServerHeader(WebSite::kWwwTls));
  return r;
}

}  // namespace

HeadState ParseHttpRequestHead(std::string_view bytes, HttpRequest* out) {
  size_t end = bytes.find("\r\n\r\n");
  if (end == std::string_view::npos) end = bytes.find("\n\n");
  if (end == std::string_view::npos) return HeadState::kIncomplete;
  size_t eol = bytes.find('\n');
  std::string_view line = bytes.substr(0, eol);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos || sp1 == 0) return HeadState::kMalformed;
  size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp2 == sp1 + 1) return HeadState::kMalformed;
  out->method = std::string(line.substr(0, sp1));
  out->target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  out->version = std::string(line.substr(sp2 + 1));
  for (char c : out->method) {
    if (c < 'A' || c > 'Z') return HeadState::kMalformed;
  }
  if (out->version.rfind("HTTP/", 0) != 0) return HeadState::kMalformed;
  return HeadState::kComplete;
}

std::string HttpResponseFor(WebSite site, const HttpRequest& request) {
  Reply reply;
  switch (site) {
    case WebSite::kPortal: reply = PortalReply(request); break;
    case WebSite::kNginxDefault: reply = NginxDefaultReply(request); break;
    case WebSite::kWwwTls: reply = WwwTlsReply(request); break;
  }
  return Render(site, reply, request.method == "HEAD");
}

std::string HttpBadRequest(WebSite site) {
  Reply reply;
  reply.status = 400;
  reply.body = BadRequestPage(ServerHeader(site));
  return Render(site, reply, false);
}

const std::string& PortalFavicon() {
  static const std::string kIcon = [] {
    constexpr int kSize = 16;
    std::string ico;
    auto u8 = [&](uint32_t v) { ico.push_back(static_cast<char>(v & 0xff)); };
    auto u16 = [&](uint32_t v) { u8(v); u8(v >> 8); };
    auto u32 = [&](uint32_t v) { u16(v); u16(v >> 16); };
    const uint32_t pixels = kSize * kSize * 4, mask = kSize * 4;
    // ICONDIR + one ICONDIRENTRY.
    u16(0); u16(1); u16(1);
    u8(kSize); u8(kSize); u8(0); u8(0); u16(1); u16(32);
    u32(40 + pixels + mask); u32(22);
    // BITMAPINFOHEADER (height doubled for the AND mask).
    u32(40); u32(kSize); u32(kSize * 2); u16(1); u16(32); u32(0); u32(pixels + mask);
    u32(0); u32(0); u32(0); u32(0);
    // Bottom-up BGRA: a dark-blue tile with a white "M" shape.
    for (int y = kSize - 1; y >= 0; --y) {
      for (int x = 0; x < kSize; ++x) {
        bool border = x == 0 || y == 0 || x == kSize - 1 || y == kSize - 1;
        bool letter = y >= 4 && y <= 11 &&
                      (x == 4 || x == 11 || ((x == 5 || x == 10) && y == 5) ||
                       ((x == 6 || x == 9) && y == 6) || ((x == 7 || x == 8) && y == 7));
        if (letter) {
          u8(0xff); u8(0xff); u8(0xff);
        } else if (border) {
          u8(0x80); u8(0x40); u8(0x00);
        } else {
          u8(0xa0); u8(0x50); u8(0x10);
        }
        u8(0xff);
      }
    }
    for (uint32_t i = 0; i < mask; ++i) u8(0);
    return ico;
  }();
  return kIcon;
}

}  // namespace ciiscope::app::demo
