#include "scanner/probes/ldap/ldap_probe.h"

#include "core/text.h"
#include "scanner/probes/common/ber.h"
#include "scanner/probes/common/greeting_probe.h"

namespace ciiscope::scanner {
namespace {

constexpr size_t kMaxReply = 64 * 1024;
constexpr size_t kMaxAttributes = 64;
constexpr size_t kMaxValues = 64;
constexpr size_t kMaxValueBytes = 1024;

constexpr uint8_t kSequence = 0x30;
constexpr uint8_t kSet = 0x31;
constexpr uint8_t kOctetString = 0x04;
constexpr uint8_t kSearchResultEntry = 0x64;
constexpr uint8_t kSearchResultDone = 0x65;
constexpr uint8_t kExtendedResponse = 0x78;  // notice of disconnection

const char* const kAttributes[] = {
    "objectClass", "namingContexts", "defaultNamingContext", "rootDomainNamingContext",
    "supportedLDAPVersion", "supportedSASLMechanisms", "vendorName", "vendorVersion",
    "dnsHostName", "serverName", "ldapServiceName", "forestFunctionality",
    "domainFunctionality", "domainControllerFunctionality", "supportedCapabilities",
    "isGlobalCatalogReady", "subschemaSubentry", "supportedExtension", "configContext",
    "monitorContext",
};

// AD's LDAP_CAP_ACTIVE_DIRECTORY_OID in supportedCapabilities.
constexpr std::string_view kAdCapability = "1.2.840.113556.1.4.800";

void ReadEntry(std::string_view entry, LdapRootDse* out) {
  BerReader r(entry);
  BerTlv name, attrs;
  if (!r.Next(&name) || !r.Next(&attrs) || attrs.tag != kSequence) return;
  BerReader list(attrs.value);
  BerTlv partial;
  while (list.Next(&partial) && out->attributes.size() < kMaxAttributes) {
    BerReader pr(partial.value);
    BerTlv type, vals;
    if (partial.tag != kSequence || !pr.Next(&type) || !pr.Next(&vals) || vals.tag != kSet) continue;
    auto& values = out->attributes[std::string(type.value.substr(0, 128))];
    BerReader vr(vals.value);
    BerTlv v;
    while (vr.Next(&v) && values.size() < kMaxValues) {
      if (v.tag == kOctetString) values.emplace_back(v.value.substr(0, kMaxValueBytes));
    }
  }
}

void ReadResult(std::string_view result, LdapRootDse* out) {
  BerReader r(result);
  BerTlv code, matched, diagnostic;
  if (r.Next(&code)) BerInteger(code.value, &out->result_code);
  if (r.Next(&matched) && r.Next(&diagnostic)) {
    out->diagnostic = std::string(diagnostic.value.substr(0, kMaxValueBytes));
  }
}

bool Has(const LdapRootDse& dse, const std::string& attr, std::string_view value) {
  auto it = dse.attributes.find(attr);
  if (it == dse.attributes.end()) return false;
  for (const auto& v : it->second) {
    if (core::ToLower(v) == core::ToLower(value)) return true;
  }
  return false;
}

class LdapProbe : public GreetingProbe {
 public:
  LdapProbe()
      : GreetingProbe("ldap", "anonymous read of the root DSE (no bind, read-only)", {389, 3268}) {}

 protected:
  std::string Opening() const override { return LdapRootDseRequest(); }
  size_t FirstReplyCap(const ProbeContext& ctx) const override {
    return std::min(kMaxReply, ctx.body_cap);
  }
  bool FirstReplyComplete(std::string_view b) const override {
    return ParseLdapRootDse(b).complete;
  }

  asio::awaitable<void> Continue(const ProbeContext& ctx, Conversation& conv, FirstReply& first,
                                 ProbeResult* result) const override {
    LdapRootDse dse = ParseLdapRootDse(first.bytes);
    result->recognized = dse.well_formed;
    if (dse.well_formed) {
      // UnbindRequest, message 2: a polite end.
      co_await SendBytes(conv, BerEncode(kSequence, BerEncodeInteger(0x02, 2) + BerEncode(0x42, "")));
    }
    if (first.bytes.empty()) co_return;
    nlohmann::json data = {{"timed_out", first.outcome.timed_out},
                           {"truncated", first.outcome.truncated}};
    if (dse.well_formed) {
      data["result_code"] = dse.result_code;
      if (!dse.diagnostic.empty()) data["diagnostic"] = EvidenceText(dse.diagnostic, 512);
      nlohmann::json attrs = nlohmann::json::object();
      for (const auto& [name, values] : dse.attributes) {
        nlohmann::json vs = nlohmann::json::array();
        for (const auto& v : values) vs.push_back(EvidenceText(v, 512));
        attrs[EvidenceText(name, 128)] = std::move(vs);
      }
      data["attributes"] = std::move(attrs);
      data["active_directory"] = Has(dse, "supportedCapabilities", kAdCapability);
      data["openldap"] = Has(dse, "objectClass", "OpenLDAProotDSE");
    } else {
      data["error"] = "not an LDAP reply";
      data["text"] = EvidenceText(first.bytes, 256);
    }
    RecordProbe(ctx, "ldap-rootdse", std::move(data), std::move(first.bytes));
  }
};

}  // namespace

std::string LdapRootDseRequest() {
  std::string attrs;
  for (const char* a : kAttributes) attrs += BerEncode(kOctetString, a);
  std::string search = BerEncode(kOctetString, "") +    // baseObject ""
                       BerEncodeInteger(0x0a, 0) +       // scope baseObject
                       BerEncodeInteger(0x0a, 0) +       // derefAliases never
                       BerEncodeInteger(0x02, 0) +       // sizeLimit
                       BerEncodeInteger(0x02, 10) +      // timeLimit (s)
                       BerEncode(0x01, std::string(1, '\0')) +  // typesOnly FALSE
                       BerEncode(0x87, "objectClass") +  // filter (objectClass=*)
                       BerEncode(kSequence, attrs);
  return BerEncode(kSequence, BerEncodeInteger(0x02, 1) + BerEncode(0x63, search));
}

LdapRootDse ParseLdapRootDse(std::string_view b) {
  LdapRootDse dse;
  while (!b.empty()) {
    BerTlv msg;
    BerStatus st = ReadBer(b, &msg);
    if (st == BerStatus::kNeedMore) {
      if (!b.starts_with("\x30")) dse.complete = true;
      return dse;
    }
    if (st == BerStatus::kBad || msg.tag != kSequence) {
      dse.complete = true;
      return dse;
    }
    b.remove_prefix(msg.total);
    BerReader r(msg.value);
    BerTlv id, op;
    if (!r.Next(&id) || id.tag != 0x02 || !r.Next(&op)) {
      dse.complete = true;
      return dse;
    }
    dse.well_formed = true;
    if (op.tag == kSearchResultEntry) {
      ReadEntry(op.value, &dse);
    } else if (op.tag == kSearchResultDone || op.tag == kExtendedResponse) {
      ReadResult(op.value, &dse);
      dse.complete = true;
      return dse;
    }
  }
  return dse;
}

std::unique_ptr<ServiceProbe> MakeLdapProbe() { return std::make_unique<LdapProbe>(); }

}  // namespace ciiscope::scanner
