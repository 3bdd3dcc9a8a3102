// BuildLedgerReport: the asset ledger (台账) by unit, CII first.

#include "core/clock.h"
#include "inventory/store/store.h"
#include "reports/i18n/messages.h"
#include "reports/kind_builders.h"
#include "reports/render_util.h"

namespace ciiscope::reports {
namespace {

std::string Str(std::string_view s) { return std::string(s); }

TableColumn Col(std::string key, std::string label, bool numeric = false, double width = 16) {
  return TableColumn{std::move(key), std::move(label), numeric, width};
}

std::string CiiLabel(Lang lang, const std::string& status) {
  if (status == "confirmed") return Str(Tr(lang, Msg::kCiiConfirmed));
  if (status == "candidate") return Str(Tr(lang, Msg::kCiiCandidate));
  if (status == "rejected") return Str(Tr(lang, Msg::kCiiRejected));
  if (status.empty()) return Str(Tr(lang, Msg::kCiiNone));
  return status;
}

// Why the asset has its CII status: the operator's reason (who, when) for a
// decision, the identify rule for a candidate.
std::string CiiBasis(Lang lang, const inventory::Asset& a) {
  if (a.cii_status == "confirmed" || a.cii_status == "rejected") {
    std::string who = a.cii_decided_by;
    std::string when = FormatTime(a.cii_decided_at);
    std::string by = who.empty() ? when : (when.empty() ? who : who + ", " + when);
    return by.empty() ? a.cii_reason : a.cii_reason + " (" + by + ")";
  }
  if (a.cii_status == "candidate" && !a.identified_by.empty()) {
    return Str(Tr(lang, Msg::kIdentifiedBy)) + a.identified_by;
  }
  return "";
}

std::string CriticalityLabel(Lang lang, const std::string& c) {
  if (c == "low") return Str(Tr(lang, Msg::kCritLow));
  if (c == "medium") return Str(Tr(lang, Msg::kCritMedium));
  if (c == "high") return Str(Tr(lang, Msg::kCritHigh));
  return c;
}

std::string LedgerStatusCode(const inventory::LedgerRow& r) {
  if (r.shuangfei) return "shuangfei";
  if (r.asset.ledger_status == "stale" || r.asset.ledger_status == "shadow") {
    return r.asset.ledger_status;
  }
  return r.asset.unit_id != 0 ? "registered" : "shadow";
}

std::string LedgerStatusLabel(Lang lang, std::string_view code) {
  if (code == "registered") return Str(Tr(lang, Msg::kLedgerRegistered));
  if (code == "shadow") return Str(Tr(lang, Msg::kLedgerShadow));
  if (code == "shuangfei") return Str(Tr(lang, Msg::kLedgerShuangfei));
  if (code == "stale") return Str(Tr(lang, Msg::kLedgerStale));
  return Str(code);
}

}  // namespace

Result<TableReport> BuildLedgerReport(inventory::Store& store, Lang lang, int64_t now) {
  if (now == 0) now = core::NowMillis();
  CII_ASSIGN_OR_RETURN(inventory::LedgerTotals totals, store.LedgerTotalsAt(now));
  auto tr = [lang](Msg id) { return Str(Tr(lang, id)); };

  TableReport r;
  r.kind = "ledger";
  r.title = tr(Msg::kTitleLedger);
  r.lang = lang;
  r.generated_at = core::NowMillis();
  r.facts = {{tr(Msg::kUnitsCount), std::to_string(totals.units)},
             {tr(Msg::kAssetsCount), std::to_string(totals.assets)},
             {tr(Msg::kCiiConfirmedCount), std::to_string(totals.confirmed)},
             {tr(Msg::kCiiCandidateCount), std::to_string(totals.candidates)},
             {tr(Msg::kRegisteredCount), std::to_string(totals.registered)},
             {tr(Msg::kShadowCount), std::to_string(totals.shadow)},
             {tr(Msg::kShuangfeiCount), std::to_string(totals.shuangfei)}};

  TableChart chart;
  chart.kind = TableChart::Kind::kBars;
  chart.title = tr(Msg::kColCii);
  chart.points = {{tr(Msg::kCiiConfirmed), static_cast<double>(totals.confirmed), 0},
                  {tr(Msg::kCiiCandidate), static_cast<double>(totals.candidates), 0},
                  {tr(Msg::kCiiRejected), static_cast<double>(totals.rejected), 1},
                  {tr(Msg::kLedgerShadow), static_cast<double>(totals.shadow), 1}};
  r.charts.push_back(std::move(chart));

  TableSection s;
  s.id = "ledger";
  s.title = tr(Msg::kLedgerEntries);
  s.intro = tr(Msg::kLedgerIntro);
  s.empty_text = tr(Msg::kEmptyLedger);
  s.columns = {Col("unit", tr(Msg::kColUnit), false, 24),
               Col("unit_code", tr(Msg::kColUnitCode), false, 12),
               Col("unit_path", tr(Msg::kColUnitPath), false, 36),
               Col("owner", tr(Msg::kColOwner), false, 12),
               Col("contact", tr(Msg::kColContact), false, 16),
               Col("address", tr(Msg::kColAddress), false, 18),
               Col("hostnames", tr(Msg::kColHostnames), false, 28),
               Col("role", tr(Msg::kColRole), false, 16),
               Col("criticality", tr(Msg::kColCriticality), false, 9),
               Col("cii_status", tr(Msg::kColCii), false, 10),
               Col("cii_basis", tr(Msg::kColCiiBasis), false, 32),
               Col("data_tags", tr(Msg::kColDataTags), false, 20),
               Col("ledger_status", tr(Msg::kColLedgerStatus), false, 14),
               Col("open_services", tr(Msg::kColOpenServices), true, 9)};
  // Counted findings by severity, most severe first.
  for (size_t i = inventory::kLedgerSeverities.size(); i-- > 0;) {
    std::string sev = inventory::kLedgerSeverities[i];
    s.columns.push_back(Col("findings_" + sev, Str(SeverityLabel(lang, sev)), true, 8));
  }
  s.columns.push_back(Col("first_seen", tr(Msg::kColFirstSeen), false, 21));
  s.columns.push_back(Col("last_seen", tr(Msg::kColLastSeen), false, 21));
  s.group_by = 2;  // the unit path: unique per unit where names repeat
  inventory::Store* db = &store;
  const std::string no_unit = tr(Msg::kNoUnit);
  s.rows = [db, lang, now, no_unit](const RowSink& sink) {
    return db->ForEachLedgerRow(now, [&](const inventory::LedgerRow& x) {
      const inventory::Asset& a = x.asset;
      bool owned = a.unit_id != 0;
      TableCell cii{CiiLabel(lang, a.cii_status)};
      if (a.cii_status == "confirmed") cii.css = "sev-critical";
      if (a.cii_status == "candidate") cii.css = "sev-high";
      std::string unit = owned ? x.unit_name : no_unit;
      TableRow row{unit,
                   owned ? x.unit_code : std::string(),
                   owned ? x.unit_path : no_unit,
                   x.unit_owner,
                   x.unit_contact,
                   a.address,
                   Join(a.hostnames, " "),
                   a.role,
                   CriticalityLabel(lang, a.criticality),
                   cii,
                   CiiBasis(lang, a),
                   Join(a.data_tags, " "),
                   LedgerStatusLabel(lang, LedgerStatusCode(x)),
                   TableCell::Number(static_cast<double>(x.open_services))};
      for (size_t i = x.open_findings.size(); i-- > 0;) {
        TableCell c = TableCell::Number(static_cast<double>(x.open_findings[i]));
        if (x.open_findings[i] > 0 && i >= 3) c.css = "sev-" + std::string(inventory::kLedgerSeverities[i]);
        row.push_back(c);
      }
      row.push_back(FormatTime(a.first_seen));
      row.push_back(FormatTime(a.last_seen));
      return sink(row);
    });
  };
  r.sections.push_back(std::move(s));
  return r;
}

}  // namespace ciiscope::reports
