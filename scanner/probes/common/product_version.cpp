#include "scanner/probes/common/product_version.h"

#include <array>
#include <utility>

#include "core/text.h"

namespace ciiscope::scanner {
namespace {

struct CpeEntry {
  std::string_view product;  // lower-case
  std::string_view vendor_product;
};

constexpr std::array<CpeEntry, 24> kCpe = {{
    {"openssh", "openbsd:openssh"},
    {"dropbear", "dropbear_ssh_project:dropbear_ssh"},
    {"nginx", "f5:nginx"},
    {"apache httpd", "apache:http_server"},
    {"apache", "apache:http_server"},
    {"tomcat", "apache:tomcat"},
    {"jetty", "eclipse:jetty"},
    {"iis", "microsoft:internet_information_services"},
    {"lighttpd", "lighttpd:lighttpd"},
    {"vsftpd", "beasts:vsftpd"},
    {"proftpd", "proftpd:proftpd"},
    {"pure-ftpd", "pureftpd:pure-ftpd"},
    {"postfix", "postfix:postfix"},
    {"exim", "exim:exim"},
    {"dovecot", "dovecot:dovecot"},
    {"mysql", "oracle:mysql"},
    {"mariadb", "mariadb:mariadb"},
    {"postgresql", "postgresql:postgresql"},
    {"redis", "redis:redis"},
    {"mongodb", "mongodb:mongodb"},
    {"memcached", "memcached:memcached"},
    {"elasticsearch", "elastic:elasticsearch"},
    {"jenkins", "jenkins:jenkins"},
    {"grafana", "grafana:grafana"},
}};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Splits "9.2p1" style upstream versions from a "-…"/"+…" distribution suffix.
std::pair<std::string_view, std::string_view> SplitDistro(std::string_view v) {
  size_t cut = v.find_first_of("-+~");
  if (cut == std::string_view::npos) return {v, {}};
  return {v.substr(0, cut), v.substr(cut + 1)};
}

}  // namespace

std::string CpeFor(std::string_view product, std::string_view version) {
  if (version.empty()) return "";
  std::string key = core::ToLower(product);
  for (const auto& e : kCpe) {
    if (e.product != key) continue;
    std::string cpe = "cpe:2.3:a:";
    cpe += e.vendor_product;
    cpe += ':';
    for (char c : version) {
      bool plain = IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                   c == '.' || c == '-';
      if (!plain) cpe += '\\';
      cpe += c;
    }
    cpe += ":*:*:*:*:*:*:*";
    return cpe;
  }
  return "";
}

ProductVersion NormalizeSshSoftware(std::string_view software, std::string_view comment) {
  ProductVersion pv;
  size_t us = software.find('_');
  if (us == std::string_view::npos) {
    pv.product = std::string(software);
  } else {
    pv.product = std::string(software.substr(0, us));
    std::string_view rest = software.substr(us + 1);
    // Some builds glue the distribution onto the version ("OpenSSH_7.4p1-hpn14v15").
    auto [upstream, suffix] = SplitDistro(rest);
    pv.version = std::string(upstream);
    if (!suffix.empty()) pv.distro = std::string(suffix);
  }
  if (core::ToLower(pv.product) == "dropbear") pv.product = "Dropbear";
  // The comment names the distribution package: "Debian-2+deb12u3", "Ubuntu-3ubuntu0.10".
  std::string_view c = core::TrimSpace(comment);
  if (!c.empty() && pv.distro.empty()) {
    std::string lower = core::ToLower(c);
    for (std::string_view d : {"debian", "ubuntu", "raspbian", "freebsd", "centos", "rhel"}) {
      if (lower.starts_with(d)) {
        pv.distro = std::string(c);
        break;
      }
    }
  }
  pv.cpe = CpeFor(pv.product, pv.version);
  return pv;
}

ProductVersion NormalizeMysqlVersion(std::string_view v) {
  ProductVersion pv;
  pv.product = "MySQL";
  // MariaDB 10+ prefixes "5.5.5-" for old clients.
  if (v.starts_with("5.5.5-")) v.remove_prefix(6);
  size_t maria = core::ToLower(v).find("-mariadb");
  if (maria != std::string::npos) {
    pv.product = "MariaDB";
    pv.version = std::string(v.substr(0, maria));
    std::string_view rest = v.substr(maria + 8);
    if (rest.starts_with("-")) rest.remove_prefix(1);
    pv.distro = std::string(rest);
  } else {
    auto [upstream, suffix] = SplitDistro(v);
    pv.version = std::string(upstream);
    pv.distro = std::string(suffix);
  }
  pv.cpe = CpeFor(pv.product, pv.version);
  return pv;
}

}  // namespace ciiscope::scanner
