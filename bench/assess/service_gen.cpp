#include "service_gen.h"

#include <array>

#include <nlohmann/json.hpp>

namespace ciiscope::bench {
namespace {

using nlohmann::json;

template <size_t N>
const char* Pick(std::mt19937_64& rng, const std::array<const char*, N>& items) {
  return items[rng() % N];
}

constexpr std::array<const char*, 8> kSsh = {
    "SSH-2.0-OpenSSH_7.4\r\n", "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n",
    "SSH-2.0-OpenSSH_8.2p1 Ubuntu-4ubuntu0.5\r\n", "SSH-2.0-OpenSSH_7.2p2 Ubuntu-4ubuntu2.10\r\n",
    "SSH-2.0-dropbear_2019.78\r\n", "SSH-2.0-HUAWEI-1.5\r\n", "SSH-1.99-Cisco-1.25\r\n",
    "SSH-2.0-OpenSSH_8.0\r\n"};
constexpr std::array<const char*, 5> kFtp = {"220 (vsFTPd 3.0.3)\r\n", "220 (vsFTPd 2.3.4)\r\n",
                                            "220 ProFTPD 1.3.5e Server (Debian) [::ffff:10.0.0.1]\r\n",
                                            "220 Microsoft FTP Service\r\n",
                                            "220-FileZilla Server 0.9.60 beta\r\n"};
constexpr std::array<const char*, 3> kSmtp = {"220 mail.example.edu.cn ESMTP Postfix (Debian/GNU)\r\n",
                                             "220 mx.example.edu.cn Anti-spam GT for Coremail System\r\n",
                                             "220 smtp.example.edu.cn Microsoft ESMTP MAIL Service ready\r\n"};
constexpr std::array<const char*, 4> kServers = {"nginx/1.18.0", "Apache/2.4.6 (CentOS) OpenSSL/1.0.2k-fips",
                                                "Microsoft-IIS/8.5", "openresty/1.19.3.1"};
struct Page {
  const char* title;
  const char* body;
};
constexpr std::array<Page, 12> kPages = {{
    {"统一身份认证", "<form id=\"fm1\" action=\"/cas/login?service=x\" method=\"post\"><input type=\"password\" name=\"password\">"},
    {"教学管理信息服务平台", "<script src=\"/jwglxt/js/zftal.js\"></script><input type=\"password\">"},
    {"数字校园门户", "<div class=\"portal\">金智教育 wisedu</div>"},
    {"Welcome to nginx!", "<h1>Welcome to nginx!</h1><p>If you see this page, the nginx web server is successfully installed"},
    {"学院新闻", "<html><body><ul><li>新闻一</li><li>新闻二</li></ul></body></html>"},
    {"Index of /backup", "<h1>Index of /backup</h1><a href=\"db.sql.gz\">db.sql.gz</a>"},
    {"phpMyAdmin", "<title>phpMyAdmin</title><form method=\"post\" action=\"index.php\" name=\"login_form\">"},
    {"泛微协同办公平台", "<script>var ecology = 1;</script>/wui/index.html"},
    {"2026 年本科招生录取查询", "<form><input name=\"ksh\"></form>"},
    {"Apache Tomcat/8.5.41", "<h1>Apache Tomcat/8.5.41</h1>If you're seeing this, you've successfully installed Tomcat."},
    {"Sign in · GitLab", "<meta content=\"GitLab\" property=\"og:site_name\">"},
    {"登录", "<form action=\"/login\" method=\"post\"><input type=\"password\" name=\"pwd\"></form>"},
}};
constexpr std::array<const char*, 5> kTlsVersions = {"TLSv1.3", "TLSv1.2", "TLSv1.2", "TLSv1.1", "TLSv1.0"};
// None of these collide with the fixed ports of the other slots.
constexpr std::array<uint16_t, 14> kExposedPorts = {23,   445,  3389, 5900, 2375, 9200, 11211,
                                                    2181, 6443, 2379, 873,  1099, 161,  27017};

inventory::Observation Obs(const std::string& address, uint16_t port, const char* kind, json data) {
  inventory::Observation o;
  o.address = address;
  o.transport = port == 161 ? "udp" : "tcp";
  o.port = port;
  o.kind = kind;
  o.data_json = data.dump();
  return o;
}

}  // namespace

std::vector<inventory::Observation> ServiceGenerator::Next(uint64_t index) {
  // ~8 services per host; addresses are data only (nothing is contacted).
  uint64_t host = index / 8;
  std::string address = "10." + std::to_string((host >> 16) & 255) + "." + std::to_string((host >> 8) & 255) +
                        "." + std::to_string(host & 255);
  std::vector<inventory::Observation> out;
  auto open = [&](uint16_t port) {
    auto o = Obs(address, port, "port_state", {{"state", "open"}});
    o.state = "open";
    out.push_back(o);
  };
  // One slot per service of the host, each on its own port.
  const uint64_t slot = index % 8;
  auto http_page = [&](uint16_t port, bool tls) {
    open(port);
    const Page& page = kPages[rng_() % kPages.size()];
    json http = {{"scheme", tls ? "https" : "http"},
                 {"url", std::string(tls ? "https://" : "http://") + address + ":" + std::to_string(port) + "/"},
                 {"status", 200},
                 {"reason", "OK"},
                 {"headers", {{"server", Pick(rng_, kServers)}, {"content-type", "text/html; charset=utf-8"}}},
                 {"title", page.title},
                 {"body", std::string("<html><head><title>") + page.title + "</title></head><body>" + page.body +
                              "</body></html>"},
                 {"body_bytes", 2048},
                 {"truncated", false}};
    if (rng_() % 4 == 0) http["headers"]["strict-transport-security"] = "max-age=31536000";
    out.push_back(Obs(address, port, "http", http));
    if (!tls) return;
    int days = static_cast<int>(rng_() % 800) - 60;
    bool self_signed = rng_() % 5 == 0;
    std::string cn = "CN=www" + std::to_string(host) + ".example.edu.cn";
    json t = {{"version", Pick(rng_, kTlsVersions)},
              {"cipher", "ECDHE-RSA-AES128-GCM-SHA256"},
              {"cert",
               {{"subject", cn},
                {"issuer", self_signed ? cn : std::string("CN=GeoTrust CN RSA CA G1")},
                {"sans", {"www" + std::to_string(host) + ".example.edu.cn"}},
                {"days_left", days},
                {"self_signed", self_signed},
                {"key_type", "RSA"},
                {"key_bits", rng_() % 10 == 0 ? 1024 : 2048},
                {"sig_alg", rng_() % 10 == 0 ? "sha1WithRSAEncryption" : "sha256WithRSAEncryption"}}}};
    out.push_back(Obs(address, port, "tls", t));
  };
  switch (slot) {
    case 0:
      open(22);
      out.push_back(Obs(address, 22, "banner", {{"text", Pick(rng_, kSsh)}}));
      break;
    case 1: http_page(80, false); break;
    case 2: http_page(443, true); break;
    case 3:
      if (rng_() % 2) {
        open(21);
        out.push_back(Obs(address, 21, "banner", {{"text", Pick(rng_, kFtp)}}));
      } else {
        open(25);
        out.push_back(Obs(address, 25, "banner", {{"text", Pick(rng_, kSmtp)}}));
      }
      break;
    case 4:
      if (rng_() % 2) {
        open(3306);
        out.push_back(Obs(address, 3306, "banner",
                          {{"text", "J\\x00\\x00\\x00\n5.7.33-log\\x00\\x08\\x00\\x00\\x00mysql_native_password\\x00"}}));
      } else {
        open(6379);
        bool auth = rng_() % 2 == 0;
        out.push_back(Obs(address, 6379, "probe",
                          {{"probe", "redis-info"},
                           {"text", auth ? "-NOAUTH Authentication required.\r\n"
                                         : "# Server\r\nredis_version:5.0.7\r\nredis_mode:standalone\r\nos:Linux\r\n"},
                           {"truncated", false}}));
      }
      break;
    case 5: open(kExposedPorts[rng_() % kExposedPorts.size()]); break;
    case 6: http_page(8080, false); break;
    default: http_page(8443, true); break;
  }
  return out;
}

std::vector<inventory::Evidence> AsEvidence(const std::vector<inventory::Observation>& observations) {
  std::vector<inventory::Evidence> out;
  out.reserve(observations.size());
  for (const auto& o : observations) {
    inventory::Evidence e;
    e.kind = o.kind;
    e.data_json = o.data_json;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace ciiscope::bench
