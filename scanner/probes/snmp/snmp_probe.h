#pragma once
// SNMP probe (UDP 161): one GetRequest for sysDescr.0, sysObjectID.0 and
// sysName.0 with the community "public", as SNMPv2c and as SNMPv1 in the
// same attempt (read-only; no Set, no walk); the v2c request also asks
// Net-SNMP's versionTag (1.3.6.1.4.1.2021.100.2.0 → "agent_version"). A GetResponse to either becomes
// `probe` evidence {"probe": "snmp", "snmp_version": "v2c"|"v1",
// "community": "public", "error_status": 0, "sysdescr": "...",
// "sysobjectid": "1.3.6.1.4.1.8072.3.2.10", "sysname": "...",
// "enterprise": 8072, "enterprise_name": "net-snmp"}. An agent that answers
// proves the community is readable — the assessor's business.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace ciiscope::scanner {

class UdpProbe;

inline constexpr int64_t kSnmpV2cRequestId = 0x43494902;
inline constexpr int64_t kSnmpV1RequestId = 0x43494901;

struct SnmpReply {
  bool well_formed = false;  // a GetResponse to one of our request ids
  int64_t version = -1;      // 0 = v1, 1 = v2c
  std::string community;
  int64_t error_status = 0;
  bool has_sysdescr = false, has_sysobjectid = false, has_sysname = false;
  std::string sysdescr;     // raw octets (capped)
  std::string sysobjectid;  // dotted
  std::string sysname;      // raw octets (capped)
  bool has_agent_version = false;
  std::string agent_version;  // Net-SNMP's versionTag ("5.9.3"), v2c only
};

// The GetRequest message for `version` (0 = v1, 1 = v2c).
std::string SnmpGetRequest(int64_t version);
// Pure: interprets one datagram; anything else than our GetResponse → !well_formed.
SnmpReply ParseSnmpReply(std::string_view datagram);
// "net-snmp", "cisco", "h3c", "huawei", … for 1.3.6.1.4.1.N…; "" when unknown.
std::string_view SnmpEnterpriseName(uint64_t enterprise);

std::unique_ptr<UdpProbe> MakeSnmpProbe();

}  // namespace ciiscope::scanner
