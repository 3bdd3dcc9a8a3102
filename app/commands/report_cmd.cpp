#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/context.h"
#include "app/kind_reports.h"
#include "app/pipeline.h"
#include "inventory/store/store.h"
#include "reports/integrity.h"

namespace ciiscope::app {

void AddReportCommand(CLI::App& app, Context& ctx) {
  struct Opts {
    std::string kind = "assessment";
    std::string format = "html";
    std::string out;
    int64_t scan = 0;
    std::string sign;
    std::string from, to;
    int64_t drill = 0;
    int64_t score_run = 0;
    std::vector<std::string> units;
    std::string issuer, reference_prefix;
    int reply_days = 0;  // 0: notice.reply_days of the configuration, else 15
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("report", "Write a report from the inventory");
  cmd->add_option("--kind", o->kind, "assessment, ledger, scorecard, diff, drill or notice")
      ->check(CLI::IsMember({"assessment", "ledger", "scorecard", "diff", "drill", "notice"}))
      ->capture_default_str();
  cmd->add_option("--format", o->format,
                  "html, json, csv, md, xlsx, pdf (comma-separated for several)")
      ->capture_default_str();
  cmd->add_option("-o,--output", o->out, "Output file (one format) or directory");
  cmd->add_option("--scan", o->scan, "assessment: scan id (default: the latest)");
  cmd->add_option("--from", o->from, "diff: scan id or date (default: the scan before --to)");
  cmd->add_option("--to", o->to, "diff: scan id or date (default: the latest scan)");
  cmd->add_option("--drill", o->drill, "drill: drill id (default: the latest)");
  cmd->add_option("--score-run", o->score_run,
                  "scorecard: report this stored score run instead of computing a new one");
  cmd->add_option("--unit", o->units,
                  "notice: only these units (code or id; repeatable; default: every unit with "
                  "findings to fix)");
  cmd->add_option("--issuer", o->issuer,
                  "notice: issuing body (签发单位; default: notice.issuer of the configuration)");
  cmd->add_option("--reference-prefix", o->reference_prefix,
                  "notice: reference number prefix (PREFIX-YYYYMMDD-UNITID; default: "
                  "notice.reference_prefix of the configuration, else CIISCOPE)");
  cmd->add_option("--reply-days", o->reply_days,
                  "notice: days to reply (1..365; default: notice.reply_days of the "
                  "configuration, else 15)")
      ->check(CLI::Range(1, 365));
  cmd->add_option("--sign", o->sign,
                  "Sign each report with this Ed25519 private key (PEM); writes REPORT.sig");
  cmd->callback([&ctx, o] {
    ctx.action = [&ctx, o]() -> Status {
      CII_ASSIGN_OR_RETURN(auto formats, ParseFormats(o->format));
      if (!o->sign.empty()) CII_RETURN_IF_ERROR(reports::SigningKeyFingerprint(o->sign));
      CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
      std::string out = o->out;
      std::string stem = o->kind == "assessment" ? "ciiscope-report" : "ciiscope-" + o->kind;
      if (out.empty()) {
        out = formats.size() == 1 && o->kind != "notice" ? stem + "." + formats[0] : stem;
      }
      std::vector<std::string> paths;
      if (o->kind == "assessment") {
        std::optional<int64_t> id;
        if (o->scan > 0) id = o->scan;
        CII_ASSIGN_OR_RETURN(paths, WriteReports(ctx, *store, id, formats, out));
      } else {
        KindReportRequest request{o->kind,      formats,   out,       o->from,
                                  o->to,        o->drill,  o->score_run, o->units,
                                  o->issuer,    o->reference_prefix, o->reply_days};
        CII_ASSIGN_OR_RETURN(paths, WriteKindReports(ctx, *store, request));
      }
      for (const auto& p : paths) {
        fmt::print("report: {}\n", p);
        if (o->sign.empty()) continue;
        CII_ASSIGN_OR_RETURN(auto sig, reports::SignReportFile(p, o->sign));
        fmt::print("signature: {} (key {})\n", sig.sig_path, sig.key_fingerprint);
      }
      return Ok();
    };
  });
}

}  // namespace ciiscope::app
