#include "scanner/probes/snmp/snmp_probe.h"

#include <charconv>

#include "scanner/probes/common/ber.h"
#include "scanner/probes/common/dialogue.h"
#include "scanner/probes/udp_probe.h"

namespace ciiscope::scanner {
namespace {

constexpr size_t kMaxText = 1024;
constexpr std::string_view kCommunity = "public";
constexpr std::string_view kSysDescr = "1.3.6.1.2.1.1.1.0";
constexpr std::string_view kSysObjectId = "1.3.6.1.2.1.1.2.0";
constexpr std::string_view kSysName = "1.3.6.1.2.1.1.5.0";
// UCD-SNMP-MIB::versionTag.0: the Net-SNMP agent's own version. Asked only
// over v2c, where a missing object is a per-varbind exception; in v1 it would
// turn the whole answer into noSuchName.
constexpr std::string_view kNetSnmpVersion = "1.3.6.1.4.1.2021.100.2.0";
constexpr uint8_t kTagSequence = 0x30, kTagInteger = 0x02, kTagOctets = 0x04, kTagNull = 0x05,
                  kTagOid = 0x06, kTagGetRequest = 0xa0, kTagGetResponse = 0xa2;

bool ReadInteger(BerReader& r, int64_t* out) {
  BerTlv t;
  return r.Next(&t) && t.tag == kTagInteger && BerInteger(t.value, out);
}

// The enterprise number N of 1.3.6.1.4.1.N…; 0 when not an enterprise OID.
uint64_t EnterpriseOf(std::string_view oid) {
  constexpr std::string_view kPrefix = "1.3.6.1.4.1.";
  if (oid.substr(0, kPrefix.size()) != kPrefix) return 0;
  oid.remove_prefix(kPrefix.size());
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(oid.data(), oid.data() + oid.size(), n);
  if (ec != std::errc() || (end != oid.data() + oid.size() && *end != '.')) return 0;
  return n;
}

class SnmpProbe : public UdpProbe {
 public:
  std::string_view name() const override { return "snmp"; }
  std::string_view description() const override {
    return "SNMP v2c/v1 GetRequest sysDescr, sysObjectID, sysName with community public (read-only)";
  }
  const std::vector<uint16_t>& port_hints() const override {
    static const std::vector<uint16_t> kPorts = {161};
    return kPorts;
  }
  std::vector<std::string> Requests() const override { return {SnmpGetRequest(1), SnmpGetRequest(0)}; }

  std::optional<UdpFinding> Interpret(std::string_view datagram) const override {
    SnmpReply r = ParseSnmpReply(datagram);
    if (!r.well_formed) return std::nullopt;
    nlohmann::json data = {{"snmp_version", r.version == 0 ? "v1" : "v2c"},
                           {"community", EvidenceText(r.community, 64)},
                           {"error_status", r.error_status}};
    if (r.has_sysdescr) data["sysdescr"] = EvidenceText(r.sysdescr, kMaxText);
    if (r.has_sysname) data["sysname"] = EvidenceText(r.sysname, 256);
    if (r.has_agent_version) data["agent_version"] = EvidenceText(r.agent_version, 64);
    if (r.has_sysobjectid) {
      data["sysobjectid"] = EvidenceText(r.sysobjectid, 256);
      if (uint64_t n = EnterpriseOf(r.sysobjectid); n != 0) {
        data["enterprise"] = n;
        if (auto known = SnmpEnterpriseName(n); !known.empty()) data["enterprise_name"] = known;
      }
    }
    return UdpFinding{"snmp", std::move(data)};
  }
};

}  // namespace

std::string SnmpGetRequest(int64_t version) {
  std::string varbinds;
  for (std::string_view oid : {kSysDescr, kSysObjectId, kSysName, kNetSnmpVersion}) {
    if (oid == kNetSnmpVersion && version == 0) continue;
    varbinds += BerEncode(kTagSequence, BerEncodeOid(oid) + BerEncode(kTagNull, ""));
  }
  const int64_t id = version == 0 ? kSnmpV1RequestId : kSnmpV2cRequestId;
  std::string pdu = BerEncodeInteger(kTagInteger, id) + BerEncodeInteger(kTagInteger, 0) +
                    BerEncodeInteger(kTagInteger, 0) + BerEncode(kTagSequence, varbinds);
  return BerEncode(kTagSequence, BerEncodeInteger(kTagInteger, version) +
                                     BerEncode(kTagOctets, kCommunity) +
                                     BerEncode(kTagGetRequest, pdu));
}

SnmpReply ParseSnmpReply(std::string_view datagram) {
  SnmpReply r;
  BerTlv message;
  if (ReadBer(datagram, &message) != BerStatus::kOk || message.tag != kTagSequence) return r;
  BerReader top(message.value);
  int64_t version = -1;
  BerTlv community, pdu;
  if (!ReadInteger(top, &version) || (version != 0 && version != 1)) return r;
  if (!top.Next(&community) || community.tag != kTagOctets) return r;
  if (!top.Next(&pdu) || pdu.tag != kTagGetResponse) return r;
  BerReader fields(pdu.value);
  int64_t id = 0, error_status = 0, error_index = 0;
  if (!ReadInteger(fields, &id) || !ReadInteger(fields, &error_status) ||
      !ReadInteger(fields, &error_index)) {
    return r;
  }
  if (id != (version == 0 ? kSnmpV1RequestId : kSnmpV2cRequestId)) return r;
  r.well_formed = true;
  r.version = version;
  r.community = std::string(community.value.substr(0, 64));
  r.error_status = error_status;
  BerTlv list;
  if (!fields.Next(&list) || list.tag != kTagSequence) return r;
  BerReader binds(list.value);
  BerTlv bind;
  for (int i = 0; i < 16 && binds.Next(&bind); ++i) {
    if (bind.tag != kTagSequence) continue;
    BerReader pair(bind.value);
    BerTlv oid, value;
    if (!pair.Next(&oid) || oid.tag != kTagOid || !pair.Next(&value)) continue;
    const std::string name = BerOid(oid.value);
    if (name == kSysDescr && value.tag == kTagOctets) {
      r.sysdescr = std::string(value.value.substr(0, kMaxText));
      r.has_sysdescr = true;
    } else if (name == kSysName && value.tag == kTagOctets) {
      r.sysname = std::string(value.value.substr(0, 256));
      r.has_sysname = true;
    } else if (name == kNetSnmpVersion && value.tag == kTagOctets) {
      r.agent_version = std::string(value.value.substr(0, 64));
      r.has_agent_version = true;
    } else if (name == kSysObjectId && value.tag == kTagOid) {
      r.sysobjectid = BerOid(value.value);
      r.has_sysobjectid = !r.sysobjectid.empty();
    }
  }
  return r;
}

std::string_view SnmpEnterpriseName(uint64_t enterprise) {
  switch (enterprise) {
    case 9: return "cisco";
    case 11: return "hp";
    case 311: return "microsoft";
    case 2011: return "huawei";
    case 2636: return "juniper";
    case 4881: return "ruijie";
    case 6876: return "vmware";
    case 8072: return "net-snmp";
    case 12356: return "fortinet";
    case 14988: return "mikrotik";
    case 25506: return "h3c";
    default: return "";
  }
}

std::unique_ptr<UdpProbe> MakeSnmpProbe() { return std::make_unique<SnmpProbe>(); }

}  // namespace ciiscope::scanner
