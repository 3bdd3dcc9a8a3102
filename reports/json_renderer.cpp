#include "reports/json_renderer.h"

#include <exception>
#include <string>

#include <nlohmann/json.hpp>

#include "core/hash.h"
#include "core/text.h"
#include "reports/i18n/messages.h"
#include "reports/render_util.h"

namespace ciiscope::reports {
namespace {

using nlohmann::json;

// Strings from the model may hold anything; the document holds valid UTF-8.
json Str(std::string_view s) { return json(core::SanitizeUtf8(s)); }

json StrList(const std::vector<std::string>& items) {
  json out = json::array();
  for (const std::string& s : items) out.push_back(Str(s));
  return out;
}

// An embedded JSON text (stats, finding detail) as a value when it parses,
// else as a (sanitized) string; null when empty. Never throws.
json Embedded(std::string_view text) {
  if (core::TrimSpace(text).empty()) return nullptr;
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return Str(text);
  return parsed;
}

json LocalizedJson(const inventory::LocalizedText& t) { return {{"zh", Str(t.zh)}, {"en", Str(t.en)}}; }

json ScanJson(const inventory::Scan& s) {
  return {{"id", s.id},
          {"profile", Str(s.profile)},
          {"targets", Str(s.targets)},
          {"ports", Str(s.ports)},
          {"engine", Str(s.engine)},
          {"operator", Str(s.operator_name)},
          {"started_at", s.started_at},
          {"finished_at", s.finished_at},
          {"status", Str(s.status)},
          {"stats", Embedded(s.stats_json)}};
}

json AssetJson(const inventory::Asset& a) {
  return {{"id", a.id},
          {"address", Str(a.address)},
          {"hostnames", StrList(a.hostnames)},
          {"first_seen", a.first_seen},
          {"last_seen", a.last_seen},
          {"role", Str(a.role)},
          {"criticality", Str(a.criticality)},
          {"cii_status", Str(a.cii_status)},
          {"ledger_status", Str(a.ledger_status)}};
}

json ServiceJson(const inventory::Service& s) {
  return {{"id", s.id},
          {"asset_id", s.asset_id},
          {"address", Str(s.address)},
          {"transport", Str(s.transport)},
          {"port", s.port},
          {"state", Str(s.state)},
          {"name", Str(s.name)},
          {"product", Str(s.product)},
          {"version", Str(s.version)},
          {"cpe", Str(s.cpe)},
          {"first_seen", s.first_seen},
          {"last_seen", s.last_seen}};
}

json FindingJson(const inventory::Finding& f) {
  return {{"id", f.id},
          {"key", Str(f.key)},
          {"rule_id", Str(f.rule_id)},
          {"rule_version", f.rule_version},
          {"severity", Str(f.severity)},
          {"status", Str(f.status)},
          {"asset_id", f.asset_id},
          {"service_id", f.service_id},
          {"address", Str(f.address)},
          {"port", f.port},
          {"transport", Str(f.transport)},
          {"title", LocalizedJson(f.title)},
          {"remediation", LocalizedJson(f.remediation)},
          {"references", StrList(f.references)},
          {"detail", Embedded(f.detail_json)},
          {"evidence_ids", f.evidence_ids},
          {"first_seen_scan", f.first_seen_scan},
          {"last_seen_scan", f.last_seen_scan},
          {"first_seen", f.first_seen},
          {"last_seen", f.last_seen},
          {"due_at", f.due_at},
          {"assignee", Str(f.assignee)}};
}

json SummaryJson(const ReportSummary& s) {
  json by_severity = json::object();
  for (size_t i = 0; i < kSeverities.size(); ++i) {
    by_severity[std::string(kSeverities[i])] = s.by_severity[i];
  }
  return {{"assets", s.assets},
          {"services", s.services},
          {"open_services", s.open_services},
          {"findings", s.findings},
          {"open_findings", s.open_findings},
          {"by_severity", by_severity},
          {"unknown_severity", s.unknown_severity}};
}

// The canonical form the digest covers: compact, keys sorted (nlohmann's
// object is a std::map), UTF-8 unescaped, invalid bytes replaced.
std::string Canonical(const json& doc) {
  return doc.dump(-1, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace);
}

std::string DigestOf(const json& doc_without_digest) {
  return "sha256:" + core::Sha256Hex(Canonical(doc_without_digest));
}

}  // namespace

Status JsonRenderer::Render(const ReportModel& model, Lang lang, std::ostream& out) const {
  try {
    json doc = json::object();
    doc["schema"] = std::string(kJsonReportSchema);
    doc["kind"] = Str(model.kind);
    doc["generator"] = "ciiscope";
    doc["lang"] = std::string(LangTag(lang));
    doc["title"] = std::string(Tr(lang, Msg::kTitleAssessment));
    doc["generated_at"] = model.generated_at;
    doc["scan"] = model.scan.has_value() ? ScanJson(*model.scan) : json(nullptr);
    doc["summary"] = SummaryJson(Summarize(model));
    json findings = json::array();
    for (const auto& f : model.findings) findings.push_back(FindingJson(f));
    doc["findings"] = std::move(findings);
    json assets = json::array();
    for (const auto& a : model.assets) assets.push_back(AssetJson(a));
    doc["assets"] = std::move(assets);
    json services = json::array();
    for (const auto& s : model.services) services.push_back(ServiceJson(s));
    doc["services"] = std::move(services);

    doc["digest"] = DigestOf(doc);
    out << doc.dump(2, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace) << '\n';
    return Ok();
  } catch (const std::exception& e) {
    return Error(ErrorCode::kInternal, std::string("JSON report: ") + e.what());
  }
}

Result<bool> CheckJsonReportDigest(std::string_view json_text) {
  json doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Error(ErrorCode::kParse, "not a JSON report: not a JSON object");
  }
  auto it = doc.find("digest");
  if (it == doc.end() || !it->is_string()) {
    return Error(ErrorCode::kParse, "not a JSON report: no \"digest\" string");
  }
  std::string claimed = it->get<std::string>();
  doc.erase("digest");
  try {
    return claimed == DigestOf(doc);
  } catch (const std::exception& e) {
    return Error(ErrorCode::kParse, std::string("JSON report: ") + e.what());
  }
}

}  // namespace ciiscope::reports
