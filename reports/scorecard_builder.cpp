// BuildScorecardReport: the accountability scorecard from a score run.

#include <cmath>
#include <memory>

#include "core/clock.h"
#include "inventory/store/store.h"
#include "reports/i18n/messages.h"
#include "reports/kind_builders.h"
#include "reports/render_util.h"

namespace ciiscope::reports {
namespace {

constexpr int64_t kDayMs = 86'400'000;

std::string Str(std::string_view s) { return std::string(s); }

// A unit's display name: "Name (code)", or "(no unit)".
std::string UnitLabel(Lang lang, const inventory::AccountableFinding& a) {
  if (a.unit_id == 0) return Str(Tr(lang, Msg::kNoUnit));
  return a.unit_code.empty() ? a.unit_name : a.unit_name + " (" + a.unit_code + ")";
}

TableCell Severity(Lang lang, const std::string& severity) {
  TableCell c{Str(SeverityLabel(lang, severity))};
  if (SeverityRank(severity) >= 0) c.css = "sev-" + severity;
  return c;
}

std::string Replace(std::string text, std::string_view key, std::string_view value) {
  size_t at = text.find(key);
  if (at != std::string::npos) text.replace(at, key.size(), value);
  return text;
}

TableColumn Col(std::string key, Lang lang, Msg label, bool numeric = false, double width = 16) {
  return TableColumn{std::move(key), Str(Tr(lang, label)), numeric, width};
}

}  // namespace

Result<TableReport> BuildScorecardReport(inventory::Store& store, Lang lang,
                                         const ScorecardOptions& options) {
  CII_ASSIGN_OR_RETURN(std::vector<inventory::ScoreRun> runs,
                       store.ListScoreRuns(std::max(1, options.trend_runs)));
  if (runs.empty()) {
    return Error(ErrorCode::kNotFound, "no score run in the database; scores are computed by "
                                       "`ciiscope report --kind scorecard`");
  }
  inventory::ScoreRun run = runs.back();
  if (options.run_id != 0) {
    bool found = false;
    for (const auto& r : runs) {
      if (r.id == options.run_id) {
        run = r;
        found = true;
      }
    }
    if (!found) {
      return Error(ErrorCode::kNotFound,
                   "score run " + std::to_string(options.run_id) + " not among the latest " +
                       std::to_string(runs.size()));
    }
  }
  const int64_t now = options.now != 0 ? options.now : run.time;
  auto tr = [lang](Msg id) { return Str(Tr(lang, id)); };

  TableReport r;
  r.kind = "scorecard";
  r.title = tr(Msg::kTitleScorecard);
  r.lang = lang;
  r.generated_at = core::NowMillis();
  r.facts = {{tr(Msg::kScoreRun), std::to_string(run.id)},
             {tr(Msg::kScoredAt), FormatTime(run.time)},
             {tr(Msg::kScoringTable), run.table_source + " (v" +
                                          std::to_string(run.table_version) + ")"},
             {tr(Msg::kAssetsCount), std::to_string(run.assets)},
             {tr(Msg::kColCounted), std::to_string(run.findings)},
             {tr(Msg::kUnownedAssets), std::to_string(run.unowned_assets)},
             {tr(Msg::kUnownedScore), TableCell::Number(run.unowned_score, 1).text}};

  TableChart trend;
  trend.kind = TableChart::Kind::kLine;
  trend.title = tr(Msg::kScoreTrend);
  trend.y_max = 100;
  for (const auto& x : runs) {
    if (x.id > run.id) continue;
    trend.points.push_back({FormatTime(x.time).substr(0, 10), x.mean_top_score, 0});
  }
  r.charts.push_back(trend);

  inventory::Store* db = &store;
  const int64_t run_id = run.id;

  TableSection ranking;
  ranking.id = "ranking";
  ranking.title = tr(Msg::kRanking);
  ranking.intro = tr(Msg::kRankingIntro);
  ranking.empty_text = tr(Msg::kEmptyRanking);
  ranking.columns = {Col("parent", lang, Msg::kColParent, false, 24),
                     Col("rank", lang, Msg::kColRank, true, 8),
                     Col("unit", lang, Msg::kColUnit, false, 28),
                     Col("code", lang, Msg::kColUnitCode, false, 14),
                     Col("level", lang, Msg::kColLevel, false, 10),
                     Col("score", lang, Msg::kColScore, true, 9),
                     Col("own_score", lang, Msg::kColOwnScore, true, 9),
                     Col("previous", lang, Msg::kColPrevScore, true, 9),
                     Col("change", lang, Msg::kColDelta, true, 9),
                     Col("assets", lang, Msg::kColAssets, true, 9),
                     Col("counted", lang, Msg::kColCounted, true, 9),
                     Col("overdue", lang, Msg::kColOverdue, true, 9),
                     Col("repeat", lang, Msg::kColRepeat, true, 9),
                     Col("shadow", lang, Msg::kColShadow, true, 9),
                     Col("critical_high", lang, Msg::kColCriticalHigh, true, 9),
                     Col("owner", lang, Msg::kColOwner, false, 14),
                     Col("contact", lang, Msg::kColContact, false, 18)};
  ranking.rows = [db, run_id](const RowSink& sink) {
    return db->ForEachRankedUnitScore(run_id, [&](const inventory::RankedUnitScore& u) {
      const auto& s = u.score;
      TableCell change = u.has_previous ? TableCell::Number(s.score - u.previous_score, 1)
                                        : TableCell::Blank();
      if (u.has_previous && s.score - u.previous_score >= 0.05) change.css = "up";
      if (u.has_previous && s.score - u.previous_score <= -0.05) change.css = "down";
      return sink({u.parent_name, TableCell::Number(static_cast<double>(u.rank)), u.name, u.code,
                   u.level, TableCell::Number(s.score, 1), TableCell::Number(s.own_score, 1),
                   u.has_previous ? TableCell::Number(u.previous_score, 1) : TableCell::Blank(),
                   change, TableCell::Number(static_cast<double>(s.subtree_assets)),
                   TableCell::Number(static_cast<double>(s.findings)),
                   TableCell::Number(static_cast<double>(s.overdue)),
                   TableCell::Number(static_cast<double>(s.repeat)),
                   TableCell::Number(static_cast<double>(s.shadow)),
                   TableCell::Number(static_cast<double>(s.critical_high)), u.owner, u.contact});
    });
  };
  r.sections.push_back(std::move(ranking));

  TableSection trend_table;
  trend_table.id = "trend";
  trend_table.title = tr(Msg::kScoreTrend);
  trend_table.empty_text = tr(Msg::kNothing);
  trend_table.columns = {Col("run", lang, Msg::kColRun, true, 8),
                         Col("time", lang, Msg::kColTime, false, 21),
                         Col("mean_score", lang, Msg::kColMeanScore, true, 10),
                         Col("assets", lang, Msg::kColAssets, true, 10),
                         Col("counted", lang, Msg::kColCounted, true, 10)};
  auto trend_runs = std::make_shared<std::vector<inventory::ScoreRun>>(runs);
  trend_table.rows = [trend_runs, run_id](const RowSink& sink) -> Status {
    for (const auto& x : *trend_runs) {
      if (x.id > run_id) continue;
      CII_RETURN_IF_ERROR(sink({TableCell::Number(static_cast<double>(x.id)), FormatTime(x.time),
                                TableCell::Number(x.mean_top_score, 1),
                                TableCell::Number(static_cast<double>(x.assets)),
                                TableCell::Number(static_cast<double>(x.findings))}));
    }
    return Ok();
  };
  r.sections.push_back(std::move(trend_table));

  TableSection overdue;
  overdue.id = "overdue";
  overdue.title = tr(Msg::kOverdue);
  overdue.intro = tr(Msg::kOverdueIntro);
  overdue.empty_text = tr(Msg::kEmptyOverdue);
  overdue.columns = {Col("unit", lang, Msg::kColUnit, false, 28),
                     Col("severity", lang, Msg::kColSeverity, false, 10),
                     Col("rule", lang, Msg::kColRule, false, 22),
                     Col("title", lang, Msg::kColTitle, false, 40),
                     Col("target", lang, Msg::kColTarget, false, 22),
                     Col("status", lang, Msg::kColStatus, false, 12),
                     Col("due", lang, Msg::kColDueAt, false, 21),
                     Col("days_overdue", lang, Msg::kColDaysOverdue, true, 10),
                     Col("owner", lang, Msg::kColOwner, false, 14)};
  overdue.rows = [db, now, lang](const RowSink& sink) {
    return db->ForEachAccountableFinding(now, true, [&](const inventory::AccountableFinding& a) {
      const auto& f = a.finding;
      return sink({UnitLabel(lang, a), Severity(lang, f.severity), f.rule_id,
                   Localized(f.title, lang), Endpoint(f.address, f.port),
                   Str(FindingStatusLabel(lang, f.status)), FormatTime(f.due_at),
                   TableCell::Number(std::floor(static_cast<double>(now - f.due_at) / kDayMs)),
                   a.unit_owner});
    });
  };
  r.sections.push_back(std::move(overdue));

  TableSection lookback;
  lookback.id = "lookback";
  lookback.title = tr(Msg::kLookBack);
  lookback.intro = tr(Msg::kLookBackIntro);
  lookback.empty_text = tr(Msg::kEmptyLookBack);
  lookback.columns = {Col("unit", lang, Msg::kColUnit, false, 28),
                      Col("severity", lang, Msg::kColSeverity, false, 10),
                      Col("rule", lang, Msg::kColRule, false, 22),
                      Col("title", lang, Msg::kColTitle, false, 40),
                      Col("target", lang, Msg::kColTarget, false, 22),
                      Col("status", lang, Msg::kColStatus, false, 12),
                      Col("fixed_at", lang, Msg::kColFixedAt, false, 21),
                      Col("reopened_at", lang, Msg::kColReopenedAt, false, 21),
                      Col("times", lang, Msg::kColReopenCount, true, 9)};
  lookback.rows = [db, lang](const RowSink& sink) {
    return db->ForEachRepeatFinding([&](const inventory::AccountableFinding& a) {
      const auto& f = a.finding;
      return sink({UnitLabel(lang, a), Severity(lang, f.severity), f.rule_id,
                   Localized(f.title, lang), Endpoint(f.address, f.port),
                   Str(FindingStatusLabel(lang, f.status)), FormatTime(a.fixed_at),
                   FormatTime(a.reopened_at),
                   TableCell::Number(static_cast<double>(a.reopen_count))});
    });
  };
  r.sections.push_back(std::move(lookback));

  TableSection notices;
  notices.id = "notices";
  notices.title = tr(Msg::kNotices);
  notices.empty_text = tr(Msg::kEmptyNotices);
  notices.columns = {Col("unit", lang, Msg::kColUnit, false, 28),
                     Col("owner", lang, Msg::kColOwner, false, 14),
                     Col("severity", lang, Msg::kColSeverity, false, 10),
                     Col("title", lang, Msg::kColTitle, false, 40),
                     Col("target", lang, Msg::kColTarget, false, 22),
                     Col("due", lang, Msg::kColDueAt, false, 21),
                     Col("status", lang, Msg::kColStatus, false, 12),
                     Col("remediation", lang, Msg::kColRemediation, false, 60)};
  notices.group_by = 0;
  notices.group_heading = [lang](const TableRow& row) {
    return Str(Tr(lang, Msg::kNoticeHeading)) + row[0].text;
  };
  notices.group_text = [lang](const TableRow& row) {
    std::string text = Replace(Str(Tr(lang, Msg::kNoticeText)), "{unit}", row[0].text);
    return Replace(std::move(text), "{owner}",
                   row[1].text.empty() ? Tr(lang, Msg::kNoOwner) : row[1].text);
  };
  notices.rows = [db, now, lang](const RowSink& sink) {
    return db->ForEachAccountableFinding(now, false, [&](const inventory::AccountableFinding& a) {
      const auto& f = a.finding;
      return sink({UnitLabel(lang, a), a.unit_owner, Severity(lang, f.severity),
                   Localized(f.title, lang), Endpoint(f.address, f.port), FormatTime(f.due_at),
                   Str(FindingStatusLabel(lang, f.status)), Localized(f.remediation, lang)});
    });
  };
  r.sections.push_back(std::move(notices));
  return r;
}

}  // namespace ciiscope::reports
