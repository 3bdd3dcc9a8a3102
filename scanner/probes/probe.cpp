#include "scanner/probes/probe.h"

#include <algorithm>
#include <utility>

#include "scanner/probes/http/http_probe.h"
#include "scanner/probes/null/null_probe.h"
#include "scanner/probes/redis/redis_probe.h"
#include "scanner/probes/tls/tls_probe.h"
#include "scanner/probes/dns/dns_probe.h"
#include "scanner/probes/ftp/ftp_probe.h"
#include "scanner/probes/imap/imap_probe.h"
#include "scanner/probes/ldap/ldap_probe.h"
#include "scanner/probes/memcached/memcached_probe.h"
#include "scanner/probes/mongodb/mongodb_probe.h"
#include "scanner/probes/mysql/mysql_probe.h"
#include "scanner/probes/pop3/pop3_probe.h"
#include "scanner/probes/rdp/rdp_probe.h"
#include "scanner/probes/smb/smb_probe.h"
#include "scanner/probes/postgres/postgres_probe.h"
#include "scanner/probes/smtp/smtp_probe.h"
#include "scanner/probes/ssh/ssh_probe.h"
#include "scanner/probes/telnet/telnet_probe.h"

namespace ciiscope::scanner {

void ProbeRegistry::Register(std::unique_ptr<ServiceProbe> probe) {
  for (auto& existing : probes_) {
    if (existing->name() == probe->name()) {
      existing = std::move(probe);
      return;
    }
  }
  probes_.push_back(std::move(probe));
}

const ServiceProbe* ProbeRegistry::Find(std::string_view name) const {
  for (const auto& probe : probes_) {
    if (probe->name() == name) return probe.get();
  }
  return nullptr;
}

std::vector<const ServiceProbe*> ProbeRegistry::All() const {
  std::vector<const ServiceProbe*> out;
  out.reserve(probes_.size());
  for (const auto& probe : probes_) out.push_back(probe.get());
  return out;
}

std::vector<std::string> ProbeRegistry::Names() const {
  std::vector<std::string> out;
  for (const auto& probe : probes_) out.emplace_back(probe->name());
  return out;
}

void RegisterBuiltinProbes(ProbeRegistry& registry) {
  registry.Register(MakeNullProbe());
  registry.Register(MakeHttpProbe());
  registry.Register(MakeTlsProbe());
  registry.Register(MakeRedisProbe());
  registry.Register(MakeSshProbe());
  registry.Register(MakeFtpProbe());
  registry.Register(MakeSmtpProbe());
  registry.Register(MakePop3Probe());
  registry.Register(MakeImapProbe());
  registry.Register(MakeMysqlProbe());
  registry.Register(MakePostgresProbe());
  registry.Register(MakeMongodbProbe());
  registry.Register(MakeMemcachedProbe());
  registry.Register(MakeTelnetProbe());
  registry.Register(MakeLdapProbe());
  registry.Register(MakeRdpProbe());
  registry.Register(MakeSmbProbe());
  registry.Register(MakeDnsTcpProbe());
}

bool LooksLikeTls(std::string_view b) {
  return b.size() >= 2 && (b[0] == '\x16' || b[0] == '\x15') && b[1] == '\x03';
}

}  // namespace ciiscope::scanner
