// BuildDrillReport: one drill's window, timeline, exposure before/after,
// findings opened and closed in it, time to fix per unit, and events.

#include <algorithm>
#include <memory>

#include "core/clock.h"
#include "inventory/store/store.h"
#include "reports/i18n/messages.h"
#include "reports/kind_builders.h"
#include "reports/render_util.h"

namespace ciiscope::reports {
namespace {

constexpr double kHourMs = 3'600'000.0;
// Markers drawn on the timeline (the tables below hold everything).
constexpr size_t kMaxTimelinePoints = 400;

std::string Str(std::string_view s) { return std::string(s); }

TableColumn Col(std::string key, Lang lang, Msg label, bool numeric = false, double width = 16) {
  return TableColumn{std::move(key), Str(Tr(lang, label)), numeric, width};
}

TableCell Severity(Lang lang, const std::string& severity) {
  TableCell c{Str(SeverityLabel(lang, severity))};
  if (SeverityRank(severity) >= 0) c.css = "sev-" + severity;
  return c;
}

std::string UnitOf(Lang lang, const inventory::AccountableFinding& a) {
  return a.unit_id == 0 ? Str(Tr(lang, Msg::kNoUnit)) : a.unit_name;
}

double Median(std::vector<double>& v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

Result<TableReport> BuildDrillReport(inventory::Store& store, Lang lang, int64_t drill_id,
                                     int64_t now) {
  std::optional<inventory::Drill> drill;
  if (drill_id != 0) {
    CII_ASSIGN_OR_RETURN(drill, store.GetDrill(drill_id));
    if (!drill) return Error(ErrorCode::kNotFound, "drill " + std::to_string(drill_id) + " not found");
  } else {
    CII_ASSIGN_OR_RETURN(auto drills, store.ListDrills());
    if (drills.empty()) {
      return Error(ErrorCode::kNotFound, "no drill in the database; start one with `ciiscope "
                                         "drill start --name NAME`");
    }
    drill = drills.back();
  }
  const inventory::DrillWindow window{drill->started_at,
                                      drill->ended_at != 0 ? drill->ended_at : now};
  auto tr = [lang](Msg id) { return Str(Tr(lang, id)); };
  inventory::Store* db = &store;
  const int64_t id = drill->id;

  TableReport r;
  r.kind = "drill";
  r.title = tr(Msg::kTitleDrill) + " \xE2\x80\x94 " + drill->name;
  r.lang = lang;
  r.generated_at = core::NowMillis();
  std::string status = drill->status == "running" ? tr(Msg::kScanRunning) : tr(Msg::kScanDone);
  r.facts = {{tr(Msg::kDrillName), drill->name},
             {tr(Msg::kDrillKind), drill->kind == "key-period" ? tr(Msg::kKindKeyPeriod)
                                                               : tr(Msg::kKindExercise)},
             {tr(Msg::kScanStatus), status},
             {tr(Msg::kWindow), FormatTime(window.from) + " \xE2\x80\x94 " + FormatTime(window.until)},
             {tr(Msg::kDrillScope), Join(drill->scope, " ")}};

  // Exposure: the last scan finished by the start and by the end.
  CII_ASSIGN_OR_RETURN(int64_t before_scan, store.ScanFinishedBy(window.from));
  CII_ASSIGN_OR_RETURN(int64_t after_scan, store.ScanFinishedBy(window.until));
  CII_ASSIGN_OR_RETURN(inventory::ScanExposure before, store.ExposureOf(before_scan));
  CII_ASSIGN_OR_RETURN(inventory::ScanExposure after, store.ExposureOf(after_scan));
  CII_ASSIGN_OR_RETURN(std::vector<inventory::Scan> scans, store.ScansInWindow(id, window));
  r.facts.emplace_back(tr(Msg::kScansInWindow), std::to_string(scans.size()));

  // Timeline: scans, findings opened/closed, monitor and drill events.
  TableChart timeline;
  timeline.kind = TableChart::Kind::kTimeline;
  timeline.title = tr(Msg::kDrillTimeline);
  timeline.x_from = window.from;
  timeline.x_until = window.until;
  timeline.series_names = {tr(Msg::kLaneDrill), tr(Msg::kLaneScans), tr(Msg::kLaneFindings),
                           tr(Msg::kLaneMonitor)};
  auto mark = [&](int lane, int64_t time, std::string label) {
    if (timeline.points.size() < kMaxTimelinePoints) {
      timeline.points.push_back({std::move(label), static_cast<double>(time), lane});
    }
  };
  CII_RETURN_IF_ERROR(store.ForEachDrillEvent(id, [&](const inventory::DrillEvent& e) {
    mark(0, e.time, e.kind + " " + FormatTime(e.time));
    return Ok();
  }));
  for (const auto& s : scans) mark(1, s.started_at, "scan #" + std::to_string(s.id));
  CII_RETURN_IF_ERROR(store.ForEachFindingOpenedIn(window, [&](const auto& a) {
    mark(2, a.finding.first_seen, a.finding.rule_id + " " + a.finding.address);
    return Ok();
  }));
  CII_RETURN_IF_ERROR(store.ForEachMonitorEvent(id, window, [&](const inventory::MonitorEvent& e) {
    mark(3, e.time, e.kind + " " + e.source + " \xE2\x86\x92 " + e.target);
    return Ok();
  }));
  r.charts.push_back(std::move(timeline));

  TableChart exposure;
  exposure.kind = TableChart::Kind::kBars;
  exposure.title = tr(Msg::kExposure);
  auto add_pair = [&](Msg label, int64_t b, int64_t a) {
    exposure.points.push_back({tr(label) + " \xC2\xB7 " + tr(Msg::kExposureBefore),
                               static_cast<double>(b), 0});
    exposure.points.push_back({tr(label) + " \xC2\xB7 " + tr(Msg::kExposureAfter),
                               static_cast<double>(a), 2});
  };
  add_pair(Msg::kOpenServicesCount, before.open_services, after.open_services);
  add_pair(Msg::kFindingsCount, before.findings, after.findings);
  add_pair(Msg::kColCriticalHigh, before.critical_high, after.critical_high);
  r.charts.push_back(exposure);

  TableSection exp;
  exp.id = "exposure";
  exp.title = tr(Msg::kExposure);
  exp.empty_text = tr(Msg::kNothing);
  exp.columns = {Col("measure", lang, Msg::kColMetric, false, 24),
                 Col("before", lang, Msg::kExposureBefore, true, 12),
                 Col("after", lang, Msg::kExposureAfter, true, 12),
                 Col("change", lang, Msg::kColDelta, true, 12)};
  auto rows = std::make_shared<std::vector<TableRow>>();
  auto add_row = [&](std::string label, int64_t b, int64_t a) {
    rows->push_back({std::move(label), TableCell::Number(static_cast<double>(b)),
                     TableCell::Number(static_cast<double>(a)),
                     TableCell::Number(static_cast<double>(a - b))});
  };
  rows->push_back({tr(Msg::kColScan), before_scan ? TableCell::Number(static_cast<double>(before_scan)) : TableCell::Blank(),
                   after_scan ? TableCell::Number(static_cast<double>(after_scan)) : TableCell::Blank(),
                   TableCell::Blank()});
  add_row(tr(Msg::kAssetsCount), before.hosts, after.hosts);
  add_row(tr(Msg::kOpenServicesCount), before.open_services, after.open_services);
  add_row(tr(Msg::kFindingsCount), before.findings, after.findings);
  add_row(tr(Msg::kColCriticalHigh), before.critical_high, after.critical_high);
  exp.rows = [rows](const RowSink& sink) -> Status {
    for (const auto& row : *rows) CII_RETURN_IF_ERROR(sink(row));
    return Ok();
  };
  r.sections.push_back(std::move(exp));

  auto finding_columns = [&](Msg time_label) {
    return std::vector<TableColumn>{Col("unit", lang, Msg::kColUnit, false, 24),
                                    Col("severity", lang, Msg::kColSeverity, false, 10),
                                    Col("rule", lang, Msg::kColRule, false, 22),
                                    Col("title", lang, Msg::kColTitle, false, 40),
                                    Col("target", lang, Msg::kColTarget, false, 22),
                                    Col("status", lang, Msg::kColStatus, false, 12),
                                    Col("time", lang, time_label, false, 21)};
  };
  TableSection opened;
  opened.id = "opened";
  opened.title = tr(Msg::kOpenedInWindow);
  opened.empty_text = tr(Msg::kNothing);
  opened.columns = finding_columns(Msg::kColFirstSeen);
  opened.rows = [db, window, lang](const RowSink& sink) {
    return db->ForEachFindingOpenedIn(window, [&](const inventory::AccountableFinding& a) {
      const auto& f = a.finding;
      return sink({UnitOf(lang, a), Severity(lang, f.severity), f.rule_id,
                   Localized(f.title, lang), Endpoint(f.address, f.port),
                   Str(FindingStatusLabel(lang, f.status)), FormatTime(f.first_seen)});
    });
  };
  r.sections.push_back(std::move(opened));

  TableSection closed;
  closed.id = "closed";
  closed.title = tr(Msg::kClosedInWindow);
  closed.empty_text = tr(Msg::kNothing);
  closed.columns = finding_columns(Msg::kColFixedAt);
  closed.columns.push_back(Col("hours_to_fix", lang, Msg::kColMedianHours, true, 12));
  closed.columns.back().label = tr(Msg::kTimeToFix);
  closed.rows = [db, window, lang](const RowSink& sink) {
    return db->ForEachFindingClosedIn(window, [&](const inventory::AccountableFinding& a) {
      const auto& f = a.finding;
      return sink({UnitOf(lang, a), Severity(lang, f.severity), f.rule_id,
                   Localized(f.title, lang), Endpoint(f.address, f.port),
                   Str(FindingStatusLabel(lang, f.status)), FormatTime(a.fixed_at),
                   TableCell::Number((a.fixed_at - f.first_seen) / kHourMs, 1)});
    });
  };
  r.sections.push_back(std::move(closed));

  TableSection ttf;
  ttf.id = "time_to_fix";
  ttf.title = tr(Msg::kTimeToFix);
  ttf.empty_text = tr(Msg::kNothing);
  ttf.columns = {Col("unit", lang, Msg::kColUnit, false, 28),
                 Col("closed", lang, Msg::kColClosedCount, true, 10),
                 Col("median_hours", lang, Msg::kColMedianHours, true, 14),
                 Col("max_hours", lang, Msg::kColMaxHours, true, 14)};
  // Rows come ordered by unit: one unit's durations in memory at a time.
  ttf.rows = [db, window, lang](const RowSink& sink) -> Status {
    std::string unit;
    int64_t unit_id = -1;
    std::vector<double> hours;
    auto flush = [&]() -> Status {
      if (hours.empty()) return Ok();
      double max = *std::max_element(hours.begin(), hours.end());
      double n = static_cast<double>(hours.size());
      Status s = sink({unit, TableCell::Number(n), TableCell::Number(Median(hours), 1),
                       TableCell::Number(max, 1)});
      hours.clear();
      return s;
    };
    CII_RETURN_IF_ERROR(db->ForEachFindingClosedIn(window, [&](const auto& a) -> Status {
      if (a.unit_id != unit_id) {
        CII_RETURN_IF_ERROR(flush());
        unit_id = a.unit_id;
        unit = UnitOf(lang, a);
      }
      hours.push_back((a.fixed_at - a.finding.first_seen) / kHourMs);
      return Ok();
    }));
    return flush();
  };
  r.sections.push_back(std::move(ttf));

  TableSection events;
  events.id = "events";
  events.title = tr(Msg::kDrillEvents);
  events.empty_text = tr(Msg::kNothing);
  events.columns = {Col("time", lang, Msg::kColTime, false, 21),
                    Col("event", lang, Msg::kColEvent, false, 16),
                    Col("source", lang, Msg::kColSource, false, 18),
                    Col("target", lang, Msg::kColTarget, false, 22),
                    Col("actor", lang, Msg::kColActor, false, 14),
                    Col("detail", lang, Msg::kColDetail, false, 50)};
  events.rows = [db, id, window](const RowSink& sink) -> Status {
    CII_RETURN_IF_ERROR(db->ForEachDrillEvent(id, [&](const inventory::DrillEvent& e) {
      return sink({FormatTime(e.time), e.kind, "", "", e.actor, e.detail_json});
    }));
    return db->ForEachMonitorEvent(id, window, [&](const inventory::MonitorEvent& e) {
      std::string target = Endpoint(e.target, e.port);
      if (!e.transport.empty() && e.port != 0) target += "/" + e.transport;
      return sink({FormatTime(e.time), e.kind, e.source, target, "", e.detail_json});
    });
  };
  r.sections.push_back(std::move(events));
  return r;
}

}  // namespace ciiscope::reports
