// BuildDiffReport: what changed between two scans (or two dates).

#include <memory>

#include "core/clock.h"
#include "inventory/store/store.h"
#include "reports/i18n/messages.h"
#include "reports/kind_builders.h"
#include "reports/coverage.h"
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

std::string CompletenessLabel(Lang lang, const ScanCoverage& c) {
  const std::string& code = c.completeness();
  if (code == "complete") return Str(Tr(lang, Msg::kCovComplete));
  if (code == "unknown") return Str(Tr(lang, Msg::kCovUnknown));
  if (code.starts_with("shard ")) return Str(Tr(lang, Msg::kCovShard)) + code.substr(6);
  size_t space = code.find(' ');
  std::string status = code.substr(0, space);
  return Str(Tr(lang, Msg::kCovIncomplete)) + Str(ScanStatusLabel(lang, status)) +
         (space == std::string::npos ? "" : code.substr(space));
}

std::string ReasonLabel(Lang lang, ScanCoverage::Verdict v) {
  switch (v) {
    case ScanCoverage::Verdict::kOutsideTargets: return Str(Tr(lang, Msg::kReasonOutsideTargets));
    case ScanCoverage::Verdict::kExcluded: return Str(Tr(lang, Msg::kReasonExcluded));
    case ScanCoverage::Verdict::kPortNotScanned: return Str(Tr(lang, Msg::kReasonPortNotScanned));
    case ScanCoverage::Verdict::kIncomplete: return Str(Tr(lang, Msg::kReasonIncomplete));
    case ScanCoverage::Verdict::kUnknown: return Str(Tr(lang, Msg::kReasonUnknown));
    case ScanCoverage::Verdict::kCovered: break;
  }
  return "";
}

std::string OrNone(Lang lang, const std::string& s) {
  return s.empty() ? Str(Tr(lang, Msg::kNone)) : s;
}

// Coverage of each side: targets, exclusions, ports, completeness, and what
// only one side covered.
TableSection CoverageSection(Lang lang, const ScanCoverage& a, const ScanCoverage& b) {
  auto tr = [lang](Msg id) { return Str(Tr(lang, id)); };
  TableSection s;
  s.id = "coverage";
  s.title = tr(Msg::kCoverage);
  s.intro = tr(Msg::kCoverageIntro);
  s.empty_text = tr(Msg::kNothing);
  s.columns = {Col("aspect", lang, Msg::kColAspect, false, 24),
               Col("earlier", lang, Msg::kColEarlier, false, 40),
               Col("later", lang, Msg::kColLater, false, 40)};
  auto rows = std::make_shared<std::vector<TableRow>>();
  rows->push_back({tr(Msg::kCovTargets), OrNone(lang, Join(a.specs(), " ")),
                   OrNone(lang, Join(b.specs(), " "))});
  rows->push_back({tr(Msg::kCovExcludes), OrNone(lang, Join(a.excludes(), " ")),
                   OrNone(lang, Join(b.excludes(), " "))});
  rows->push_back({tr(Msg::kCovPorts), OrNone(lang, a.ports().ToString()),
                   OrNone(lang, b.ports().ToString())});
  rows->push_back({tr(Msg::kCovCompleteness), CompletenessLabel(lang, a),
                   CompletenessLabel(lang, b)});
  rows->push_back({tr(Msg::kCovOnlyTargets), OrNone(lang, Join(a.SpecsNotIn(b), " ")),
                   OrNone(lang, Join(b.SpecsNotIn(a), " "))});
  rows->push_back({tr(Msg::kCovOnlyPorts), OrNone(lang, a.PortsNotIn(b).ToString()),
                   OrNone(lang, b.PortsNotIn(a).ToString())});
  s.rows = [rows](const RowSink& sink) -> Status {
    for (const auto& r : *rows) CII_RETURN_IF_ERROR(sink(r));
    return Ok();
  };
  return s;
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
  CII_ASSIGN_OR_RETURN(auto from_checkpoint, store.GetCheckpoint(from));
  CII_ASSIGN_OR_RETURN(auto to_checkpoint, store.GetCheckpoint(to));
  auto earlier = std::make_shared<ScanCoverage>(ScanCoverage::Of(*from_scan, from_checkpoint));
  auto later = std::make_shared<ScanCoverage>(ScanCoverage::Of(*to_scan, to_checkpoint));

  TableReport r;
  r.kind = "diff";
  r.title = tr(Msg::kTitleDiff);
  r.lang = lang;
  r.generated_at = core::NowMillis();
  r.facts = {{tr(Msg::kDiffFrom), ScanLabel(*from_scan)}, {tr(Msg::kDiffTo), ScanLabel(*to_scan)},
             {tr(Msg::kTargets), from_scan->targets + " \xE2\x86\x92 " + to_scan->targets}};
  inventory::Store* db = &store;

  // Assets with evidence in `in` and none in `not_in`. kind: "new", "gone"
  // (the later scan covered it) or "uncovered" (it did not: reason column).
  auto asset_section = [&](std::string id, Msg title, int64_t in, int64_t not_in,
                           std::string kind) {
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
    if (kind == "uncovered") s.columns.push_back(Col("reason", lang, Msg::kColReason, false, 20));
    s.rows = [db, in, not_in, kind, later, lang](const RowSink& sink) {
      return db->ForEachAssetOnlyIn(in, not_in, [&](const inventory::Asset& a) -> Status {
        auto verdict = kind == "new" ? ScanCoverage::Verdict::kCovered
                                     : later->Check(a.address, a.hostnames);
        bool covered = verdict == ScanCoverage::Verdict::kCovered;
        if (kind != "new" && covered != (kind == "gone")) return Ok();
        TableRow row{a.address, Join(a.hostnames, " "),
                     a.unit_id == 0 ? TableCell::Blank()
                                    : TableCell::Number(static_cast<double>(a.unit_id)),
                     a.ledger_status, FormatTime(a.first_seen), FormatTime(a.last_seen)};
        if (kind == "uncovered") row.push_back(ReasonLabel(lang, verdict));
        return sink(row);
      });
    };
    return s;
  };
  // Services: "new" (open in `to` only), "gone" (open in `from`, not in
  // `to`, and `to` probed it or covered it) or "uncovered".
  auto service_section = [&](std::string id, Msg title, std::string kind) {
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
    if (kind == "uncovered") s.columns.push_back(Col("reason", lang, Msg::kColReason, false, 20));
    s.rows = [db, from, to, kind, later, lang](const RowSink& sink) -> Status {
      auto row = [](const inventory::Service& v) -> TableRow {
        return {v.address, PortCell(v.port), v.transport, v.name, v.product, v.version};
      };
      if (kind == "new") {
        return db->ForEachServiceOnlyIn(to, from, [&](const inventory::Service& v) {
          return sink(row(v));
        });
      }
      return db->ForEachServiceGoneFrom(
          from, to,
          [&](const inventory::Service& v, bool probed,
              const std::vector<std::string>& names) -> Status {
            auto verdict = probed ? ScanCoverage::Verdict::kCovered
                                  : later->Check(v.address, names, v.transport, v.port);
            bool covered = verdict == ScanCoverage::Verdict::kCovered;
            if (covered != (kind == "gone")) return Ok();
            TableRow r = row(v);
            if (kind == "uncovered") r.push_back(ReasonLabel(lang, verdict));
            return sink(r);
          });
    };
    return s;
  };
  // Findings: "new", "fixed" (`to` re-tested and did not see it) or
  // "unchecked" (`to` collected nothing on its service or asset).
  auto finding_section = [&](std::string id, Msg title, std::string kind) {
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
    s.rows = [db, from, to, kind, lang](const RowSink& sink) {
      auto row = [&](const inventory::AccountableFinding& a) {
        const auto& f = a.finding;
        TableCell sev{Str(SeverityLabel(lang, f.severity))};
        if (SeverityRank(f.severity) >= 0) sev.css = "sev-" + f.severity;
        return sink({sev, f.rule_id, Localized(f.title, lang), Endpoint(f.address, f.port),
                     a.unit_id == 0 ? Str(Tr(lang, Msg::kNoUnit)) : a.unit_name,
                     Str(FindingStatusLabel(lang, f.status))});
      };
      if (kind == "fixed") return db->ForEachFixedFinding(from, to, row);
      if (kind == "unchecked") return db->ForEachFindingNotRechecked(from, to, row);
      return db->ForEachNewFinding(from, to, row);
    };
    return s;
  };
  r.sections.push_back(CoverageSection(lang, *earlier, *later));
  r.sections.push_back(asset_section("new_assets", Msg::kNewAssets, to, from, "new"));
  r.sections.push_back(asset_section("gone_assets", Msg::kGoneAssets, from, to, "gone"));
  r.sections.push_back(
      asset_section("uncovered_assets", Msg::kNotCoveredAssets, from, to, "uncovered"));
  r.sections.push_back(service_section("new_services", Msg::kNewServices, "new"));
  r.sections.push_back(service_section("gone_services", Msg::kGoneServices, "gone"));
  r.sections.push_back(
      service_section("uncovered_services", Msg::kNotCoveredServices, "uncovered"));
  r.sections.push_back(finding_section("new_findings", Msg::kNewFindings, "new"));
  r.sections.push_back(finding_section("fixed_findings", Msg::kFixedFindings, "fixed"));
  r.sections.push_back(
      finding_section("unchecked_findings", Msg::kNotRechecked, "unchecked"));

  // Counts for the chart and the summary (one pass per section).
  TableChart counts;
  counts.kind = TableChart::Kind::kBars;
  counts.title = tr(Msg::kDiffCounts);
  for (size_t i = 1; i < r.sections.size(); ++i) {  // [0] is the coverage
    int64_t n = 0;
    CII_RETURN_IF_ERROR(r.sections[i].rows([&](const TableRow&) -> Status {
      ++n;
      return Ok();
    }));
    counts.points.push_back({r.sections[i].title, static_cast<double>(n), (i - 1) % 3 == 0 ? 0 : 1});
    r.facts.emplace_back(r.sections[i].title, std::to_string(n));
  }
  r.charts.push_back(std::move(counts));
  return r;
}

}  // namespace ciiscope::reports
