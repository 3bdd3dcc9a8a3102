#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/context.h"
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
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("report", "Write a report from the inventory");
  cmd->add_option("--kind", o->kind, "Report kind (assessment)")->capture_default_str();
  cmd->add_option("--format", o->format,
                  "html, json, csv, md, xlsx, pdf (comma-separated for several)")
      ->capture_default_str();
  cmd->add_option("-o,--output", o->out, "Output file (one format) or directory");
  cmd->add_option("--scan", o->scan, "Scan id (default: the latest)");
  cmd->add_option("--sign", o->sign,
                  "Sign each report with this Ed25519 private key (PEM); writes REPORT.sig");
  cmd->callback([&ctx, o] {
    ctx.action = [&ctx, o]() -> Status {
      if (o->kind != "assessment") {
        return Error(ErrorCode::kInvalidArgument,
                     "unknown report kind '" + o->kind + "' (available: assessment)");
      }
      CII_ASSIGN_OR_RETURN(auto formats, ParseFormats(o->format));
      if (!o->sign.empty()) CII_RETURN_IF_ERROR(reports::SigningKeyFingerprint(o->sign));
      CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
      std::optional<int64_t> id;
      if (o->scan > 0) id = o->scan;
      std::string out = o->out;
      if (out.empty()) out = formats.size() == 1 ? "ciiscope-report." + formats[0] : "ciiscope-report";
      CII_ASSIGN_OR_RETURN(auto paths, WriteReports(ctx, *store, id, formats, out));
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
