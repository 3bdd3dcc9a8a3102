// Rectification notices (整改通知书): one report per unit, and their index.

#include <cmath>
#include <memory>
#include <set>

#include "core/clock.h"
#include "inventory/store/store.h"
#include "reports/i18n/messages.h"
#include "reports/kind_builders.h"
#include "reports/render_util.h"
#include "reports/safe_path.h"

namespace ciiscope::reports {
namespace {

constexpr int64_t kDayMs = 86'400'000;

std::string Str(std::string_view s) { return std::string(s); }

TableColumn Col(std::string key, std::string label, bool numeric = false, double width = 16) {
  return TableColumn{std::move(key), std::move(label), numeric, width};
}

std::string Date(int64_t ms) { return FormatTime(ms).substr(0, 10); }

std::string Issuer(const NoticeOptions& o) { return o.issuer.empty() ? "ciiscope" : o.issuer; }

std::string UnitLabel(const inventory::NoticeUnit& u) {
  return u.code.empty() ? u.name : u.name + " (" + u.code + ")";
}

std::string Reference(const NoticeOptions& o, int64_t now, int64_t unit_id) {
  std::string day = Date(now);
  std::erase(day, '-');
  std::string id = std::to_string(unit_id);
  if (id.size() < 4) id.insert(0, 4 - id.size(), '0');
  return (o.reference_prefix.empty() ? std::string("CIISCOPE") : o.reference_prefix) + "-" + day +
         "-" + id;
}

std::string ReplaceAll(std::string text, std::string_view key, std::string_view value) {
  for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + value.size())) {
    text.replace(at, key.size(), value);
  }
  return text;
}

}  // namespace

std::string NoticeFileStem(const inventory::NoticeUnit& unit) {
  std::string id = std::to_string(unit.unit_id);
  if (id.size() < 4) id.insert(0, 4 - id.size(), '0');
  // The id keeps names unique; the code (or name) makes them readable.
  return SafeFileName("notice-" + id + "-" + (unit.code.empty() ? unit.name : unit.code), 80);
}

Result<NoticeSelection> SelectNoticeUnits(inventory::Store& store, const NoticeOptions& o) {
  if (o.reply_days < 1 || o.reply_days > 365) {
    return Error(ErrorCode::kInvalidArgument, "--reply-days must be 1..365");
  }
  const int64_t now = o.now != 0 ? o.now : core::NowMillis();
  CII_ASSIGN_OR_RETURN(std::vector<inventory::NoticeUnit> counted, store.NoticeUnits(now));
  NoticeSelection sel;
  std::vector<inventory::NoticeUnit> chosen;
  if (o.units.empty()) {
    for (auto& u : counted) {
      if (u.unit_id == 0) {
        sel.unowned_findings = u.findings;
      } else {
        chosen.push_back(std::move(u));
      }
    }
  } else {
    CII_ASSIGN_OR_RETURN(std::vector<inventory::Unit> units, store.ListUnits());
    std::set<int64_t> seen;
    for (const std::string& want : o.units) {
      const inventory::Unit* found = nullptr;
      for (const auto& u : units) {
        if (u.code == want || (u.code.empty() && std::to_string(u.id) == want)) found = &u;
      }
      if (found == nullptr) {
        for (const auto& u : units) {
          if (std::to_string(u.id) == want) found = &u;
        }
      }
      if (found == nullptr) {
        return Error(ErrorCode::kNotFound, "--unit '" + want + "': not in the units ledger "
                                           "(give a unit code or id; see `ciiscope units list`)");
      }
      if (!seen.insert(found->id).second) continue;
      inventory::NoticeUnit n;
      n.unit_id = found->id;
      n.code = found->code;
      n.name = found->name;
      n.level = found->level;
      n.owner = found->owner;
      n.contact = found->contact;
      n.path = found->name;
      for (const auto& c : counted) {
        if (c.unit_id == found->id) n = c;  // with its counts and path
      }
      chosen.push_back(std::move(n));
    }
  }
  for (auto& u : chosen) {
    std::string ref = Reference(o, now, u.unit_id);
    sel.targets.push_back({std::move(u), std::move(ref)});
  }
  return sel;
}

TableReport BuildNoticeReport(inventory::Store& store, Lang lang, const NoticeTarget& target,
                              const NoticeOptions& o) {
  const int64_t now = o.now != 0 ? o.now : core::NowMillis();
  auto tr = [lang](Msg id) { return Str(Tr(lang, id)); };
  const inventory::NoticeUnit& u = target.unit;
  TableReport r;
  r.kind = "notice";
  r.title = tr(Msg::kTitleNotice) + " — " + UnitLabel(u);
  r.lang = lang;
  r.generated_at = core::NowMillis();
  r.facts = {{tr(Msg::kAddressee), UnitLabel(u)},
             {tr(Msg::kColUnitPath), u.path},
             {tr(Msg::kColOwner), u.owner.empty() ? tr(Msg::kNoOwner) : u.owner},
             {tr(Msg::kColContact), u.contact},
             {tr(Msg::kIssuer), Issuer(o)},
             {tr(Msg::kReference), target.reference},
             {tr(Msg::kIssueDate), Date(now)},
             {tr(Msg::kReplyBy), Date(now + int64_t{o.reply_days} * kDayMs)},
             {tr(Msg::kColCounted), std::to_string(u.findings)},
             {tr(Msg::kColOverdue), std::to_string(u.overdue)},
             {tr(Msg::kColCriticalHigh), std::to_string(u.critical_high)}};

  TableSection s;
  s.id = "items";
  s.title = tr(Msg::kNoticeItems);
  s.intro = tr(Msg::kNoticeBody);
  s.empty_text = tr(Msg::kEmptyNotice);
  s.columns = {Col("no", tr(Msg::kColNo), true, 6),
               Col("severity", tr(Msg::kColSeverity), false, 10),
               Col("rule", tr(Msg::kColRule), false, 22),
               Col("title", tr(Msg::kColTitle), false, 40),
               Col("asset", tr(Msg::kColAsset), false, 28),
               Col("status", tr(Msg::kColStatus), false, 12),
               Col("first_seen", tr(Msg::kColFirstSeen), false, 21),
               Col("due", tr(Msg::kColDueAt), false, 21),
               Col("overdue", tr(Msg::kColOverdueMark), false, 16),
               Col("remediation", tr(Msg::kColRemediation), false, 60),
               Col("references", tr(Msg::kColReferences), false, 24)};
  inventory::Store* db = &store;
  const int64_t unit_id = u.unit_id;
  s.rows = [db, lang, now, unit_id](const RowSink& sink) {
    int64_t n = 0;
    return db->ForEachNoticeFinding(
        unit_id, now,
        [&](const inventory::AccountableFinding& a, const std::vector<std::string>& hostnames) {
          const auto& f = a.finding;
          TableCell sev{Str(SeverityLabel(lang, f.severity))};
          if (SeverityRank(f.severity) >= 0) sev.css = "sev-" + f.severity;
          std::string asset = Endpoint(f.address, f.port);
          if (!hostnames.empty()) asset += " (" + Join(hostnames, " ") + ")";
          TableCell overdue{std::string()};
          if (f.due_at > 0 && f.due_at < now) {
            int64_t days = (now - f.due_at) / kDayMs;
            overdue = TableCell{ReplaceAll(Str(Tr(lang, Msg::kOverdueDays)), "{days}",
                                           std::to_string(days))};
            overdue.css = "sev-high";
          }
          return sink({TableCell::Number(static_cast<double>(++n)), sev, f.rule_id,
                       Localized(f.title, lang), asset, Str(FindingStatusLabel(lang, f.status)),
                       FormatTime(f.first_seen),
                       f.due_at > 0 ? FormatTime(f.due_at) : Str(Tr(lang, Msg::kNoDue)), overdue,
                       Localized(f.remediation, lang), Join(f.references, "; ")});
        });
  };
  r.sections.push_back(std::move(s));
  return r;
}

TableReport BuildNoticeIndex(Lang lang, const NoticeOptions& o, std::vector<NoticeFile> files,
                             int64_t unowned_findings) {
  const int64_t now = o.now != 0 ? o.now : core::NowMillis();
  auto tr = [lang](Msg id) { return Str(Tr(lang, id)); };
  TableReport r;
  r.kind = "notice-index";
  r.title = tr(Msg::kTitleNoticeIndex);
  r.lang = lang;
  r.generated_at = core::NowMillis();
  r.facts = {{tr(Msg::kIssuer), Issuer(o)},
             {tr(Msg::kIssueDate), Date(now)},
             {tr(Msg::kReplyBy), Date(now + int64_t{o.reply_days} * kDayMs)},
             {tr(Msg::kNoticeCount), std::to_string(files.size())},
             {tr(Msg::kUnownedFindings), std::to_string(unowned_findings)}};
  TableSection s;
  s.id = "notices";
  s.title = tr(Msg::kNotices);
  s.empty_text = tr(Msg::kEmptyNoticeIndex);
  s.columns = {Col("reference", tr(Msg::kReference), false, 24),
               Col("unit", tr(Msg::kColUnit), false, 28),
               Col("unit_path", tr(Msg::kColUnitPath), false, 36),
               Col("owner", tr(Msg::kColOwner), false, 14),
               Col("counted", tr(Msg::kColCounted), true, 9),
               Col("overdue", tr(Msg::kColOverdue), true, 9),
               Col("critical_high", tr(Msg::kColCriticalHigh), true, 9),
               Col("earliest_due", tr(Msg::kColDueAt), false, 21),
               Col("files", tr(Msg::kColFile), false, 40),
               Col("sha256", "SHA-256", false, 66)};
  auto shared = std::make_shared<std::vector<NoticeFile>>(std::move(files));
  s.rows = [shared](const RowSink& sink) -> Status {
    for (const NoticeFile& f : *shared) {
      const inventory::NoticeUnit& u = f.target.unit;
      CII_RETURN_IF_ERROR(sink({f.target.reference, UnitLabel(u), u.path, u.owner,
                                TableCell::Number(static_cast<double>(u.findings)),
                                TableCell::Number(static_cast<double>(u.overdue)),
                                TableCell::Number(static_cast<double>(u.critical_high)),
                                FormatTime(u.earliest_due), Join(f.files, " "),
                                Join(f.digests, " ")}));
    }
    return Ok();
  };
  r.sections.push_back(std::move(s));
  return r;
}

}  // namespace ciiscope::reports
