// BuildDiffReport: what changed between two scans (or two dates).

#include "core/clock.h"
#include "inventory/store/store.h"
#include "reports/i18n/messages.h"
#include "reports/kind_builders.h"
#include "reports/render_util.h"

namespace ciiscope::reports {
namespace {

std::string Str(std::string_view s) { return std::string(s); }

TableColumn Col(std::string key, Lang lang, Msg label, bool numeric = false, double width = 16) {
  return TableColumn{std::move(key), Str(Tr(lang, label)), numeric, width};
}

TableCell PortCell(uint16_t port) {
  return port == 0 ? TableCell::Blank() : TableCell::Number(port);
}

std::string ScanLabel(const inventory::Scan& s) {
  return "#" + std::to_string(s.id) + " (" + FormatTime(s.finished_at != 0 ? s.finished_at
                                                                           : s.started_at) +
         ")";
}

}  // namespace

Result<TableReport> BuildDiffReport(inventory::Store& store, Lang lang, const DiffOptions& o) {
  int64_t from = o.from_scan, to = o.to_scan;
  if (from == 0 && o.from_time != 0) {
    CII_ASSIGN_OR_RETURN(from, store.ScanFinishedBy(o.from_time));
  }
  if (to == 0 && o.to_time != 0) {
    CII_ASSIGN_OR_RETURN(to, store.ScanFinishedBy(o.to_time));
  }
  if (from == 0 && to == 0 && o.from_time == 0 && o.to_time == 0) {
    // Default: the two latest scans.
    CII_ASSIGN_OR_RETURN(auto scans, store.ListScans());
    if (scans.size() >= 2) {
      from = scans[scans.size() - 2].id;
      to = scans.back().id;
    }
  }
  if (from == 0 || to == 0) {
    return Error(ErrorCode::kNotFound,
                 "diff needs two scans: give --from and --to (scan ids or dates), and make sure "
                 "a scan finished by each date");
  }
  CII_ASSIGN_OR_RETURN(auto from_scan, store.GetScan(from));
  CII_ASSIGN_OR_RETURN(auto to_scan, store.GetScan(to));
  if (!from_scan) return Error(ErrorCode::kNotFound, "scan " + std::to_string(from) + " not found");
  if (!to_scan) return Error(ErrorCode::kNotFound, "scan " + std::to_string(to) + " not found");
  auto tr = [lang](Msg id) { return Str(Tr(lang, id)); };

  TableReport r;
  r.kind = "diff";
  r.title = tr(Msg::kTitleDiff);
  r.lang = lang;
  r.generated_at = core::NowMillis();
  r.facts = {{tr(Msg::kDiffFrom), ScanLabel(*from_scan)}, {tr(Msg::kDiffTo), ScanLabel(*to_scan)},
             {tr(Msg::kTargets), from_scan->targets + " \xE2\x86\x92 " + to_scan->targets}};
  inventory::Store* db = &store;

  auto asset_section = [&](std::string id, Msg title, int64_t in, int64_t not_in) {
    TableSection s;
    s.id = std::move(id);
    s.title = tr(title);
    s.empty_text = tr(Msg::kNothing);
    s.columns = {Col("address", lang, Msg::kColAddress, false, 18),
                 Col("hostnames", lang, Msg::kColHostnames, false, 30),
                 Col("unit", lang, Msg::kColUnit, true, 8),
                 Col("ledger_status", lang, Msg::kColStatus, false, 12),
                 Col("first_seen", lang, Msg::kColFirstSeen, false, 21),
                 Col("last_seen", lang, Msg::kColLastSeen, false, 21)};
    s.rows = [db, in, not_in](const RowSink& sink) {
      return db->ForEachAssetOnlyIn(in, not_in, [&](const inventory::Asset& a) {
        return sink({a.address, Join(a.hostnames, " "),
                     a.unit_id == 0 ? TableCell::Blank()
                                    : TableCell::Number(static_cast<double>(a.unit_id)),
                     a.ledger_status, FormatTime(a.first_seen), FormatTime(a.last_seen)});
      });
    };
    return s;
  };
  auto service_section = [&](std::string id, Msg title, int64_t in, int64_t not_in) {
    TableSection s;
    s.id = std::move(id);
    s.title = tr(title);
    s.empty_text = tr(Msg::kNothing);
    s.columns = {Col("address", lang, Msg::kColAddress, false, 18),
                 Col("port", lang, Msg::kColPort, true, 8),
                 Col("transport", lang, Msg::kColTransport, false, 9),
                 Col("service", lang, Msg::kColService, false, 14),
                 Col("product", lang, Msg::kColProduct, false, 24),
                 Col("version", lang, Msg::kColVersion, false, 16)};
    s.rows = [db, in, not_in](const RowSink& sink) {
      return db->ForEachServiceOnlyIn(in, not_in, [&](const inventory::Service& v) {
        return sink({v.address, PortCell(v.port), v.transport, v.name, v.product, v.version});
      });
    };
    return s;
  };
  auto finding_section = [&](std::string id, Msg title, bool fixed) {
    TableSection s;
    s.id = std::move(id);
    s.title = tr(title);
    s.empty_text = tr(Msg::kNothing);
    s.columns = {Col("severity", lang, Msg::kColSeverity, false, 10),
                 Col("rule", lang, Msg::kColRule, false, 22),
                 Col("title", lang, Msg::kColTitle, false, 40),
                 Col("target", lang, Msg::kColTarget, false, 22),
                 Col("unit", lang, Msg::kColUnit, false, 24),
                 Col("status", lang, Msg::kColStatus, false, 12)};
    s.rows = [db, from, to, fixed, lang](const RowSink& sink) {
      auto row = [&](const inventory::AccountableFinding& a) {
        const auto& f = a.finding;
        TableCell sev{Str(SeverityLabel(lang, f.severity))};
        if (SeverityRank(f.severity) >= 0) sev.css = "sev-" + f.severity;
        return sink({sev, f.rule_id, Localized(f.title, lang), Endpoint(f.address, f.port),
                     a.unit_id == 0 ? Str(Tr(lang, Msg::kNoUnit)) : a.unit_name,
                     Str(FindingStatusLabel(lang, f.status))});
      };
      return fixed ? db->ForEachFixedFinding(from, to, row) : db->ForEachNewFinding(from, to, row);
    };
    return s;
  };
  r.sections.push_back(asset_section("new_assets", Msg::kNewAssets, to, from));
  r.sections.push_back(asset_section("gone_assets", Msg::kGoneAssets, from, to));
  r.sections.push_back(service_section("new_services", Msg::kNewServices, to, from));
  r.sections.push_back(service_section("gone_services", Msg::kGoneServices, from, to));
  r.sections.push_back(finding_section("new_findings", Msg::kNewFindings, false));
  r.sections.push_back(finding_section("fixed_findings", Msg::kFixedFindings, true));

  // Counts for the chart and the summary (one pass per section).
  TableChart counts;
  counts.kind = TableChart::Kind::kBars;
  counts.title = tr(Msg::kDiffCounts);
  for (size_t i = 0; i < r.sections.size(); ++i) {
    int64_t n = 0;
    CII_RETURN_IF_ERROR(r.sections[i].rows([&](const TableRow&) -> Status {
      ++n;
      return Ok();
    }));
    counts.points.push_back({r.sections[i].title, static_cast<double>(n), i % 2 == 0 ? 0 : 1});
    r.facts.emplace_back(r.sections[i].title, std::to_string(n));
  }
  r.charts.push_back(std::move(counts));
  return r;
}

}  // namespace ciiscope::reports
