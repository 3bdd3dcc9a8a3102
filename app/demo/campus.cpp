#include "app/demo/campus.h"

#include "core/net.h"

namespace ciiscope::app::demo {

std::string_view ServiceKindName(ServiceKind kind) {
  switch (kind) {
    case ServiceKind::kHttpPortal: return "http-portal";
    case ServiceKind::kHttpDefault: return "http-default";
    case ServiceKind::kHttps: return "https";
    case ServiceKind::kSsh: return "ssh";
    case ServiceKind::kRedis: return "redis";
    case ServiceKind::kTelnet: return "telnet";
    case ServiceKind::kFtp: return "ftp";
  }
  return "unknown";
}

const std::vector<ServiceSpec>& CampusServices() {
  static const std::vector<ServiceSpec> kServices = {
      {10, "portal.demo-univ.edu.cn", 80, ServiceKind::kHttpPortal,
       "unified identity login (统一身份认证) posting passwords over plain HTTP, "
       "no X-Frame-Options/CSP, nginx/1.18.0, its .git directory served (/.git/HEAD)"},
      {11, "www.demo-univ.edu.cn", 80, ServiceKind::kHttpDefault,
       "stock 'Welcome to nginx!' default page, nginx/1.22.1"},
      {11, "www.demo-univ.edu.cn", 443, ServiceKind::kHttps,
       "HTTPS with a self-signed certificate (EC P-256, 1 year) and HSTS"},
      {12, "ssh.demo-univ.edu.cn", 22, ServiceKind::kSsh,
       "SSH banner SSH-2.0-OpenSSH_7.4 (outdated)"},
      {13, "cache.demo-univ.edu.cn", 6379, ServiceKind::kRedis,
       "Redis 5.0.7 answering INFO without authentication (read-only)"},
      {14, "lab.demo-univ.edu.cn", 23, ServiceKind::kTelnet,
       "Telnet login of a lab switch (plaintext management)"},
      {14, "lab.demo-univ.edu.cn", 21, ServiceKind::kFtp,
       "FTP vsFTPd 3.0.3 (plaintext login)"},
  };
  return kServices;
}

const std::vector<ClosedSpec>& CampusClosedCandidates() {
  static const std::vector<ClosedSpec> kClosed = {
      {10, 3306}, {11, 8443}, {12, 8080}, {13, 27017}, {14, 3389},
  };
  return kClosed;
}

const std::vector<std::string>& CampusExpectedFindings() {
  // Rule ids of the shipped pack (rules/<pack>/<id>.yaml) the demo triggers.
  static const std::vector<std::string> kFindings = {
      "http-login-plaintext",            // portal: password form over HTTP
      "http-clickjacking-login",         // portal: login page without X-Frame-Options/CSP
      "path-git-exposed",                // portal: /.git/HEAD served (collect: path)
      "http-server-version-disclosure",  // Server: nginx/1.18.0, nginx/1.22.1
      "nginx-default-page",              // www:80 stock nginx page
      "tls-self-signed-cert",            // www:443
      "openssh-user-enumeration",        // ssh: OpenSSH 7.4 < 7.7
      "redis-unauthenticated",           // cache: INFO without AUTH
      "telnet-exposed",                  // lab: Telnet management
      "ftp-plaintext",                   // lab: FTP without TLS
  };
  return kFindings;
}

Status ValidateBase(std::string_view base) {
  auto bad = [&] {
    return Error(ErrorCode::kInvalidArgument,
                 "demo: base must be three octets inside 127.0.0.0/8 (e.g. 127.77.0), got '" +
                     std::string(base) + "'");
  };
  int dots = 0;
  for (char c : base) {
    if (c == '.') ++dots;
  }
  if (dots != 2) return bad();
  auto parsed = core::IpAddress::Parse(std::string(base) + ".10");
  if (!parsed.has_value() || !parsed->is_v4() || (parsed->v4() >> 24) != 127) return bad();
  return Ok();
}

std::string HostAddress(std::string_view base, int host_octet) {
  return std::string(base) + "." + std::to_string(host_octet);
}

}  // namespace ciiscope::app::demo
