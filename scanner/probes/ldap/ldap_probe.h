#pragma once
// LDAP probe: one anonymous base-object search of the root DSE (RFC 4512
// 5.1; no bind, read-only) → `probe` evidence {"probe": "ldap-rootdse",
// "result_code": 0, "attributes": {"namingContexts": [...], "vendorName":
// [...], ...}, "active_directory": bool, "openldap": bool}.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/probes/probe.h"

namespace ciiscope::scanner {

struct LdapRootDse {
  bool complete = false;     // SearchResultDone (or a disconnect notice) arrived, or not LDAP
  bool well_formed = false;  // at least one LDAP message parsed
  int64_t result_code = -1;
  std::string diagnostic;
  std::map<std::string, std::vector<std::string>> attributes;  // capped
};

// Pure: interprets the bytes received so far.
LdapRootDse ParseLdapRootDse(std::string_view bytes);
std::string LdapRootDseRequest();

std::unique_ptr<ServiceProbe> MakeLdapProbe();

}  // namespace ciiscope::scanner
