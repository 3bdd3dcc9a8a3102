#include "reports/report.h"

#include <algorithm>
#include <tuple>

#include "core/net.h"
#include "core/text.h"
#include "reports/csv_renderer.h"
#include "reports/html_renderer.h"
#include "reports/json_renderer.h"
#include "reports/markdown_renderer.h"
#include "reports/xlsx_renderer.h"

namespace ciiscope::reports {
namespace {

// Sort key of an address: parsed IPs first (v4 before v6, numeric order),
// then anything unparsable by text.
struct AddressKey {
  int kind = 2;  // 0 = v4, 1 = v6, 2 = not an IP
  core::IpAddress ip;
  std::string_view text;

  explicit AddressKey(std::string_view address) : text(address) {
    Result<core::IpAddress> parsed = core::IpAddress::Parse(address);
    if (parsed.has_value()) {
      ip = *parsed;
      kind = ip.is_v4() ? 0 : 1;
    }
  }
  auto Tie() const { return std::tie(kind, ip, text); }
  bool operator<(const AddressKey& o) const { return Tie() < o.Tie(); }
  bool operator==(const AddressKey& o) const { return Tie() == o.Tie(); }
};

}  // namespace

Result<Lang> ParseLang(std::string_view text) {
  std::string lower = core::ToLower(core::TrimSpace(text));
  auto is = [&](std::string_view base) {
    return lower == base ||
           (lower.size() > base.size() && lower.starts_with(base) &&
            (lower[base.size()] == '-' || lower[base.size()] == '_'));
  };
  if (is("zh")) return Lang::kZh;
  if (is("en")) return Lang::kEn;
  return Error(ErrorCode::kInvalidArgument,
               "unknown report language '" + core::Printable(core::TruncateUtf8(text, 64)) +
                   "' (use zh or en)");
}

std::string_view LangTag(Lang lang) { return lang == Lang::kZh ? "zh-CN" : "en"; }

int SeverityRank(std::string_view severity) {
  for (size_t i = 0; i < kSeverities.size(); ++i) {
    if (kSeverities[i] == severity) return static_cast<int>(i);
  }
  return -1;
}

ReportSummary Summarize(const ReportModel& model) {
  ReportSummary s;
  s.assets = static_cast<int>(model.assets.size());
  s.services = static_cast<int>(model.services.size());
  for (const inventory::Service& svc : model.services) {
    if (svc.state == "open") ++s.open_services;
  }
  s.findings = static_cast<int>(model.findings.size());
  for (const inventory::Finding& f : model.findings) {
    int rank = SeverityRank(f.severity);
    if (rank >= 0) {
      ++s.by_severity[static_cast<size_t>(rank)];
    } else {
      ++s.unknown_severity;
    }
    if (f.status == "open" || f.status == "acknowledged" || f.status == "reopened") {
      ++s.open_findings;
    }
  }
  return s;
}

void SortReportModel(ReportModel& model) {
  std::stable_sort(model.findings.begin(), model.findings.end(),
                   [](const inventory::Finding& a, const inventory::Finding& b) {
                     int ra = SeverityRank(a.severity);
                     int rb = SeverityRank(b.severity);
                     if (ra != rb) return ra > rb;
                     AddressKey ka(a.address);
                     AddressKey kb(b.address);
                     if (!(ka == kb)) return ka < kb;
                     if (a.port != b.port) return a.port < b.port;
                     return a.rule_id < b.rule_id;
                   });
  std::stable_sort(model.assets.begin(), model.assets.end(),
                   [](const inventory::Asset& a, const inventory::Asset& b) {
                     return AddressKey(a.address) < AddressKey(b.address);
                   });
  std::stable_sort(model.services.begin(), model.services.end(),
                   [](const inventory::Service& a, const inventory::Service& b) {
                     AddressKey ka(a.address);
                     AddressKey kb(b.address);
                     if (!(ka == kb)) return ka < kb;
                     if (a.transport != b.transport) return a.transport < b.transport;
                     return a.port < b.port;
                   });
}

void RendererRegistry::Register(std::unique_ptr<Renderer> renderer) {
  if (renderer == nullptr) return;
  for (auto& existing : renderers_) {
    if (existing->format() == renderer->format()) {
      existing = std::move(renderer);
      return;
    }
  }
  renderers_.push_back(std::move(renderer));
}

const Renderer* RendererRegistry::Find(std::string_view format) const {
  for (const auto& r : renderers_) {
    if (r->format() == format) return r.get();
  }
  return nullptr;
}

std::vector<std::string> RendererRegistry::Formats() const {
  std::vector<std::string> out;
  out.reserve(renderers_.size());
  for (const auto& r : renderers_) out.emplace_back(r->format());
  std::sort(out.begin(), out.end());
  return out;
}

void RegisterBuiltinRenderers(RendererRegistry& registry) {
  registry.Register(std::make_unique<JsonRenderer>());
  registry.Register(std::make_unique<CsvRenderer>());
  registry.Register(std::make_unique<HtmlRenderer>());
  registry.Register(std::make_unique<MarkdownRenderer>());
  registry.Register(std::make_unique<XlsxRenderer>());
}

}  // namespace ciiscope::reports
