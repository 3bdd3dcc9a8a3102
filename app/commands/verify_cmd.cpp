// `ciiscope verify REPORT [--key PUB.pem]` and `ciiscope keygen --out KEY.pem`
// (docs/report-integrity.md).

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <optional>

#include "app/context.h"
#include "reports/integrity.h"

namespace ciiscope::app {

void AddVerifyCommand(CLI::App& app, Context& ctx) {
  struct Opts {
    std::string report;
    std::string key;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand(
      "verify", "Check a report's SHA-256 digest and Ed25519 signature (exit 0 ok, 3 failed)");
  cmd->add_option("REPORT", o->report, "Report file (REPORT.sha256 and REPORT.sig beside it)")
      ->required();
  cmd->add_option("--key", o->key,
                  "Public key (PEM) the signature must be made by; required signature");
  cmd->callback([&ctx, o] {
    ctx.action = [&ctx, o]() -> Status {
      std::optional<std::string> key;
      if (!o->key.empty()) key = o->key;
      CII_ASSIGN_OR_RETURN(auto outcome, reports::VerifyReportFile(o->report, key));
      fmt::print("{}\n", outcome.line);
      if (!outcome.ok) ctx.exit_code = kExitRuntime;
      return Ok();
    };
  });
}

void AddKeygenCommand(CLI::App& app, Context& ctx) {
  auto out = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("keygen", "Make an Ed25519 key pair for signing reports");
  cmd->add_option("--out", *out, "Private key file (PEM, mode 0600); public key to OUT.pub")
      ->required();
  cmd->callback([&ctx, out] {
    ctx.action = [out]() -> Status {
      CII_ASSIGN_OR_RETURN(auto keys, reports::GenerateSigningKey(*out));
      fmt::print("private key: {}\npublic key: {}\nfingerprint: {}\n", keys.private_key,
                 keys.public_key, keys.fingerprint);
      return Ok();
    };
  });
}

}  // namespace ciiscope::app
