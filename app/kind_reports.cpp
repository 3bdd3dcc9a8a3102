#include "app/kind_reports.h"

#include <filesystem>
#include <fstream>

#include "app/config_apply.h"
#include "assessor/scoring.h"
#include "core/clock.h"
#include "core/hash.h"
#include "inventory/store/store.h"
#include "reports/integrity.h"
#include "reports/kind_builders.h"
#include "reports/safe_path.h"
#include "rulelang/scoring_table.h"
#include "service/config.h"

namespace ciiscope::app {
namespace {

namespace fs = std::filesystem;

// A scan id ("12") or a date ("2026-12-01[THH:MM]").
Status ParseScanOrDate(const std::string& flag, const std::string& text, int64_t& scan,
                       int64_t& time) {
  if (text.empty()) return Ok();
  if (text.find_first_not_of("0123456789") == std::string::npos && text.size() <= 18) {
    scan = std::stoll(text);
    if (scan > 0) return Ok();
  } else if (auto ms = core::ParseIsoTime(text, true)) {
    time = *ms;
    return Ok();
  }
  return Error(ErrorCode::kInvalidArgument,
               flag + ": expected a scan id or a date YYYY-MM-DD[THH:MM] (UTC)");
}

Result<reports::TableReport> Build(Context& ctx, inventory::Store& store,
                                   const KindReportRequest& r, reports::Lang lang,
                                   std::string& base) {
  const int64_t now = core::NowMillis();
  if (r.kind == "scorecard") {
    reports::ScorecardOptions o;
    o.now = now;
    o.run_id = r.score_run;
    if (r.score_run == 0) {
      std::string path = rulelang::ScoringTablePath(RulesDir(ctx));
      CII_ASSIGN_OR_RETURN(rulelang::ScoringTable table, rulelang::LoadScoringTable(path));
      ApplyConfigScoring(ctx, table);
      assessor::ScoreRunSummary run;
      CII_RETURN_IF_ERROR(store.Transaction([&]() -> Status {
        CII_ASSIGN_OR_RETURN(run, assessor::ComputeScores(store, table, now, Actor(ctx)));
        return store.AppendAudit(Actor(ctx), "score", core::Sha256Hex(path),
                                 "ok: score run " + std::to_string(run.run_id) + ", " +
                                     std::to_string(run.units) + " unit(s), " +
                                     std::to_string(run.assets) + " asset(s)");
      }));
      std::printf("score run %lld: %lld unit(s), %lld asset(s), %lld counted finding(s)\n",
                  static_cast<long long>(run.run_id), static_cast<long long>(run.units),
                  static_cast<long long>(run.assets), static_cast<long long>(run.findings));
      o.run_id = run.run_id;
    }
    base = "scorecard-" + std::to_string(o.run_id);
    return reports::BuildScorecardReport(store, lang, o);
  }
  if (r.kind == "diff") {
    reports::DiffOptions o;
    CII_RETURN_IF_ERROR(ParseScanOrDate("--from", r.from, o.from_scan, o.from_time));
    CII_RETURN_IF_ERROR(ParseScanOrDate("--to", r.to, o.to_scan, o.to_time));
    CII_ASSIGN_OR_RETURN(reports::TableReport report, reports::BuildDiffReport(store, lang, o));
    base = "diff";
    return report;
  }
  if (r.kind == "ledger") {
    base = "ledger";
    return reports::BuildLedgerReport(store, lang, now);
  }
  if (r.kind == "drill") {
    CII_ASSIGN_OR_RETURN(reports::TableReport report,
                         reports::BuildDrillReport(store, lang, r.drill, now));
    base = "drill" + (r.drill != 0 ? "-" + std::to_string(r.drill) : std::string());
    return report;
  }
  return Error(ErrorCode::kInvalidArgument, "unknown report kind '" + r.kind +
                                                "' (available: assessment, ledger, scorecard, diff, drill, notice)");
}

// The hex digest WriteDigestFile put beside PATH ("" if unreadable).
std::string DigestOf(const std::string& path) {
  std::ifstream in(path + ".sha256");
  std::string hex(64, '\0');
  if (!in.read(hex.data(), 64)) return "";
  return hex;
}

Status WriteOne(const reports::TableReport& report, const std::string& format,
                const std::string& path, std::vector<std::string>& written) {
  CII_RETURN_IF_ERROR(reports::WriteTableReportFile(report, format, path));
  CII_RETURN_IF_ERROR(reports::WriteDigestFile(path));
  written.push_back(path);
  return Ok();
}

// One notice per unit and format, then the index (with every file's digest).
Result<std::vector<std::string>> WriteNotices(inventory::Store& store,
                                              const KindReportRequest& request,
                                              reports::Lang lang) {
  reports::NoticeOptions o;
  o.now = core::NowMillis();
  o.issuer = request.issuer;
  o.reference_prefix = request.reference_prefix;
  o.reply_days = request.reply_days;
  o.units = request.units;
  CII_ASSIGN_OR_RETURN(reports::NoticeSelection sel, reports::SelectNoticeUnits(store, o));
  std::error_code ec;
  const std::string& out = request.out;
  if (fs::exists(out, ec) && !fs::is_directory(out, ec)) {
    return Error(ErrorCode::kInvalidArgument,
                 "--kind notice writes one file per unit: -o must be a folder, not the file " + out);
  }
  fs::create_directories(out, ec);
  if (ec) return Error(ErrorCode::kIo, "cannot write report " + out + ": " + ec.message());
  std::vector<std::string> written;
  std::vector<reports::NoticeFile> index;
  for (const reports::NoticeTarget& t : sel.targets) {
    reports::TableReport report = reports::BuildNoticeReport(store, lang, t, o);
    reports::NoticeFile entry{t, {}, {}};
    const std::string stem = reports::NoticeFileStem(t.unit);
    for (const auto& format : request.formats) {
      std::string path =
          reports::PathInDir(out, stem + std::string(reports::TableReportExtension(format)));
      CII_RETURN_IF_ERROR(WriteOne(report, format, path, written));
      entry.files.push_back(fs::path(path).filename().string());
      entry.digests.push_back(DigestOf(path));
    }
    index.push_back(std::move(entry));
  }
  reports::TableReport idx =
      reports::BuildNoticeIndex(lang, o, std::move(index), sel.unowned_findings);
  for (const auto& format : request.formats) {
    std::string path =
        reports::PathInDir(out, "index" + std::string(reports::TableReportExtension(format)));
    CII_RETURN_IF_ERROR(WriteOne(idx, format, path, written));
  }
  return written;
}

}  // namespace

Result<std::vector<std::string>> WriteKindReports(Context& ctx, inventory::Store& store,
                                                  const KindReportRequest& request) {
  CII_ASSIGN_OR_RETURN(reports::Lang lang, reports::ParseLang(Lang(ctx)));
  if (request.kind == "notice") {
    KindReportRequest notice = request;
    if (ctx.config) {
      if (notice.issuer.empty()) notice.issuer = ctx.config->notice_issuer;
      if (notice.reference_prefix.empty()) notice.reference_prefix = ctx.config->notice_reference_prefix;
      if (notice.reply_days == 0) notice.reply_days = ctx.config->notice_reply_days;
    }
    if (notice.reply_days == 0) notice.reply_days = 15;
    return WriteNotices(store, notice, lang);
  }
  std::string base;
  CII_ASSIGN_OR_RETURN(reports::TableReport report, Build(ctx, store, request, lang, base));

  std::error_code ec;
  const std::string& out = request.out;
  bool to_dir = request.formats.size() > 1 || fs::is_directory(out, ec) || out.ends_with("/");
  if (to_dir && !fs::is_directory(out, ec)) {
    fs::create_directories(out, ec);
    if (ec) return Error(ErrorCode::kIo, "cannot write report " + out + ": " + ec.message());
  }
  std::vector<std::string> written;
  for (const auto& format : request.formats) {
    std::string path =
        to_dir ? reports::PathInDir(out, base + std::string(reports::TableReportExtension(format)))
               : out;
    CII_RETURN_IF_ERROR(WriteOne(report, format, path, written));
  }
  return written;
}

}  // namespace ciiscope::app
