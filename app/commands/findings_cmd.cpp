// `ciiscope findings list|show|ack|assign|fix|accept|false-positive|reopen`:
// the findings and their manual lifecycle (DESIGN.md "Assessor"). Every
// change writes a finding event (actor, time, reason) and an audit entry.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "app/config_apply.h"
#include "app/context.h"
#include "assessor/assessor.h"
#include "assessor/lifecycle.h"
#include "core/clock.h"
#include "core/hash.h"
#include "core/text.h"
#include "inventory/store/store.h"

namespace ciiscope::app {
namespace {

using nlohmann::json;

std::string Cell(std::string_view s, size_t width) {
  return core::TruncateUtf8(core::Printable(core::SanitizeUtf8(s)), width);
}

std::string Clean(std::string_view s) { return core::Printable(core::SanitizeUtf8(s)); }

void PrintJson(const json& j) {
  fmt::print("{}\n", j.dump(2, ' ', false, json::error_handler_t::replace));
}

std::string IsoOrEmpty(int64_t ms) { return ms == 0 ? std::string() : core::FormatIsoTime(ms); }

// "2026-12-31" (end of that day, UTC) or "2026-12-31T08:00[:SS][Z]" to Unix ms.
Result<int64_t> ParseExpiry(const std::string& text) {
  int year = 0, month = 0, day = 0, hour = 23, minute = 59, second = 59;
  char sep = 0;
  int n = std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d", &year, &month, &day, &sep, &hour,
                      &minute, &second);
  bool ok = (n == 3 && text.size() == 10) || (n >= 6 && sep == 'T');
  if (n >= 5 && n < 7) second = 0;
  if (!ok || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
      second > 59) {
    return Error(ErrorCode::kInvalidArgument,
                 "--expires '" + text + "': expected a date YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC)");
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  int64_t ms = static_cast<int64_t>(timegm(&tm)) * 1000;
  if (n == 3) ms += 999;
  return ms;
}

json FindingJson(const inventory::Finding& f, bool zh) {
  return {{"id", f.id},
          {"key", f.key},
          {"rule", f.rule_id},
          {"severity", f.severity},
          {"status", f.status},
          {"address", f.address},
          {"port", f.port},
          {"title", zh ? f.title.zh : f.title.en},
          {"first_seen", core::FormatIsoTime(f.first_seen)},
          {"last_seen", core::FormatIsoTime(f.last_seen)}};
}

struct ChangeOpts {
  int64_t id = 0;
  std::string reason;
  std::string to;
  std::string expires;
};

// Applies one lifecycle action in one transaction: status (or assignee),
// due date for accept, finding event and audit entry.
Status ApplyAction(Context& ctx, const std::string& action, const ChangeOpts& opts) {
  int64_t expires = 0;
  if (action == "accept") {
    if (opts.expires.empty()) {
      return Error(ErrorCode::kInvalidArgument, "findings accept needs --expires DATE");
    }
    CII_ASSIGN_OR_RETURN(expires, ParseExpiry(opts.expires));
    if (expires <= core::NowMillis()) {
      return Error(ErrorCode::kInvalidArgument, "--expires " + opts.expires + " is in the past");
    }
  } else if (!opts.expires.empty()) {
    return Error(ErrorCode::kInvalidArgument, "--expires applies only to findings accept");
  }
  if (action == "assign" && opts.to.empty()) {
    return Error(ErrorCode::kInvalidArgument, "findings assign needs --to USER");
  }
  if (action != "assign" && !opts.to.empty()) {
    return Error(ErrorCode::kInvalidArgument, "--to applies only to findings assign");
  }
  const std::string actor = Actor(ctx);
  CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
  std::string outcome;
  CII_RETURN_IF_ERROR(store->Transaction([&]() -> Status {
    CII_ASSIGN_OR_RETURN(auto finding, store->GetFinding(opts.id));
    if (!finding) {
      return Error(ErrorCode::kNotFound, "no finding " + std::to_string(opts.id));
    }
    CII_ASSIGN_OR_RETURN(std::string next, assessor::NextStatus(action, finding->status, opts.id));
    if (action == "assign") {
      CII_RETURN_IF_ERROR(store->AssignFinding(opts.id, opts.to, actor));
      outcome = "finding " + std::to_string(opts.id) + " assigned to " + opts.to;
    } else {
      std::string reason = opts.reason;
      if (action == "accept") {
        std::string until = "accepted until " + core::FormatIsoTime(expires);
        reason = reason.empty() ? until : until + ": " + reason;
        CII_RETURN_IF_ERROR(store->SetFindingDue(opts.id, expires));
      } else if (action == "reopen") {
        // Due again from now by the workspace SLA (an accepted finding's due
        // date was its acceptance expiry).
        CII_ASSIGN_OR_RETURN(DueFunction due, AssessDuePolicy(ctx, *store));
        const int64_t now = core::NowMillis();
        CII_RETURN_IF_ERROR(store->SetFindingDue(
            opts.id, due ? due(finding->severity, finding->address, now)
                         : assessor::DueAt(finding->severity, now)));
      }
      CII_RETURN_IF_ERROR(store->SetFindingStatus(opts.id, next, actor, reason));
      outcome = "finding " + std::to_string(opts.id) + " " + finding->status + " -> " + next;
    }
    json args = {{"id", opts.id}, {"reason", opts.reason}, {"to", opts.to},
                 {"expires", opts.expires}};
    return store->AppendAudit(actor, "findings " + action,
                              core::Sha256Hex(args.dump(-1, ' ', false,
                                                        json::error_handler_t::replace)),
                              "ok: " + outcome);
  }));
  fmt::print("{}\n", Clean(outcome));
  return Ok();
}

void AddList(CLI::App& findings, Context& ctx) {
  auto as_json = std::make_shared<bool>(false);
  auto severity = std::make_shared<std::string>();
  auto* flist = findings.add_subcommand("list", "List findings (most severe first)");
  flist->add_flag("--json", *as_json, "JSON output");
  flist->add_option("--severity", *severity, "Only at or above this severity")
      ->check(CLI::IsMember({"info", "low", "medium", "high", "critical"}));
  flist->callback([&ctx, as_json, severity] {
    ctx.action = [&ctx, as_json, severity]() -> Status {
      CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
      inventory::FindingFilter filter;
      filter.min_severity = *severity;
      CII_ASSIGN_OR_RETURN(auto list, store->ListFindings(filter));
      bool zh = Lang(ctx) == "zh";
      if (*as_json) {
        json arr = json::array();
        for (const auto& f : list) arr.push_back(FindingJson(f, zh));
        PrintJson(arr);
        return Ok();
      }
      for (const auto& f : list) {
        fmt::print("{:>5}  {:<8}  {:<10}  {:<22}  {:<28}  {}\n", f.id, f.severity, f.status,
                   Cell(f.address + (f.port ? ":" + std::to_string(f.port) : ""), 22),
                   Cell(f.rule_id, 28), Cell(zh ? f.title.zh : f.title.en, 80));
      }
      fmt::print("{} finding(s)\n", list.size());
      return Ok();
    };
  });
}

void AddShow(CLI::App& findings, Context& ctx) {
  auto as_json = std::make_shared<bool>(false);
  auto id = std::make_shared<int64_t>(0);
  auto* show = findings.add_subcommand("show", "One finding: details, evidence ids, event trail");
  show->add_option("ID", *id, "Finding id")->required();
  show->add_flag("--json", *as_json, "JSON output");
  show->callback([&ctx, as_json, id] {
    ctx.action = [&ctx, as_json, id]() -> Status {
      CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
      CII_ASSIGN_OR_RETURN(auto finding, store->GetFinding(*id));
      if (!finding) return Error(ErrorCode::kNotFound, "no finding " + std::to_string(*id));
      CII_ASSIGN_OR_RETURN(auto events, store->FindingEvents(*id));
      const auto& f = *finding;
      bool zh = Lang(ctx) == "zh";
      json detail = json::parse(f.detail_json, nullptr, false);
      if (detail.is_discarded()) detail = json::object();
      if (*as_json) {
        json j = FindingJson(f, zh);
        j["rule_version"] = f.rule_version;
        j["transport"] = f.transport;
        j["assignee"] = f.assignee;
        j["due"] = IsoOrEmpty(f.due_at);
        j["remediation"] = zh ? f.remediation.zh : f.remediation.en;
        j["references"] = f.references;
        j["evidence_ids"] = f.evidence_ids;
        j["first_seen_scan"] = f.first_seen_scan;
        j["last_seen_scan"] = f.last_seen_scan;
        j["detail"] = detail;
        json trail = json::array();
        for (const auto& e : events) {
          trail.push_back({{"time", core::FormatIsoTime(e.time)}, {"actor", e.actor},
                           {"from", e.from_status}, {"to", e.to_status}, {"reason", e.reason}});
        }
        j["events"] = trail;
        PrintJson(j);
        return Ok();
      }
      std::string where = f.address + (f.port ? ":" + std::to_string(f.port) + "/" + f.transport : "");
      fmt::print("finding {}  {}  [{}]  {}\n", f.id, Clean(f.rule_id), f.severity, f.status);
      fmt::print("  title:       {}\n", Clean(zh ? f.title.zh : f.title.en));
      fmt::print("  target:      {}\n", Clean(where));
      fmt::print("  seen:        {} .. {} (scans {} .. {})\n", core::FormatIsoTime(f.first_seen),
                 core::FormatIsoTime(f.last_seen), f.first_seen_scan, f.last_seen_scan);
      fmt::print("  due:         {}\n", f.due_at ? core::FormatIsoTime(f.due_at) : "-");
      fmt::print("  assignee:    {}\n", f.assignee.empty() ? "-" : Clean(f.assignee));
      std::string refs, ids;
      for (const auto& r : f.references) refs += (refs.empty() ? "" : ", ") + r;
      for (int64_t e : f.evidence_ids) ids += (ids.empty() ? "" : ", ") + std::to_string(e);
      fmt::print("  references:  {}\n", Clean(refs));
      fmt::print("  evidence:    {}\n", ids.empty() ? "-" : ids);
      fmt::print("  remediation: {}\n", Clean(zh ? f.remediation.zh : f.remediation.en));
      fmt::print("  events:\n");
      for (const auto& e : events) {
        fmt::print("    {}  {:<12} {:>14} -> {:<14} {}\n", core::FormatIsoTime(e.time),
                   Cell(e.actor, 12), e.from_status.empty() ? "-" : e.from_status, e.to_status,
                   Clean(e.reason));
      }
      return Ok();
    };
  });
}

void AddChange(CLI::App& findings, Context& ctx, const std::string& action,
               const std::string& help) {
  auto opts = std::make_shared<ChangeOpts>();
  auto* cmd = findings.add_subcommand(action, help);
  cmd->add_option("ID", opts->id, "Finding id")->required();
  cmd->add_option("--reason", opts->reason, "Why (kept in the finding's event trail)");
  if (action == "assign") cmd->add_option("--to", opts->to, "Assignee (user or unit contact)");
  if (action == "accept") {
    cmd->add_option("--expires", opts->expires, "End of the risk acceptance (YYYY-MM-DD, UTC)");
  }
  cmd->callback([&ctx, opts, action] {
    ctx.action = [&ctx, opts, action]() -> Status { return ApplyAction(ctx, action, *opts); };
  });
}

}  // namespace

void AddFindingsCommand(CLI::App& app, Context& ctx) {
  auto* findings = app.add_subcommand("findings", "Findings and their lifecycle");
  findings->require_subcommand(1);
  AddList(*findings, ctx);
  AddShow(*findings, ctx);
  AddChange(*findings, ctx, "ack", "Acknowledge a finding (open/reopened → acknowledged)");
  AddChange(*findings, ctx, "assign", "Assign a finding to someone (--to USER)");
  AddChange(*findings, ctx, "fix", "The unit says it is fixed (a rescan verifies it)");
  AddChange(*findings, ctx, "accept", "Accept the risk until --expires DATE");
  AddChange(*findings, ctx, "false-positive", "Mark a finding as a false positive");
  AddChange(*findings, ctx, "reopen", "Reopen a fixed, verified, closed, accepted or false-positive finding");
}

}  // namespace ciiscope::app
