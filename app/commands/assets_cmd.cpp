// CII decisions: each writes the asset's cii_status, who/when/why, and an
// audit entry, in one transaction. A later assessment keeps the decision.
#include "app/commands/assets_cmd.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "app/context.h"
#include "core/clock.h"
#include "core/hash.h"
#include "core/text.h"
#include "inventory/store/store.h"

namespace ciiscope::app {
namespace {

struct DecisionOptions {
  int64_t id = 0;
  std::string reason;
};

Status Decide(Context& ctx, const std::string& status, const DecisionOptions& opts) {
  const std::string actor = Actor(ctx);
  CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
  std::string outcome;
  CII_RETURN_IF_ERROR(store->Transaction([&]() -> Status {
    CII_ASSIGN_OR_RETURN(auto asset, store->GetAsset(opts.id));
    if (!asset) return Error(ErrorCode::kNotFound, "no asset " + std::to_string(opts.id));
    CII_RETURN_IF_ERROR(store->DecideAssetCii(opts.id, status, actor, opts.reason, core::NowMillis()));
    std::string from = asset->cii_status.empty() ? "none" : asset->cii_status;
    outcome = "asset " + std::to_string(opts.id) + " (" + asset->address + ", role " +
              (asset->role.empty() ? "unknown" : asset->role) + ") CII " + from + " -> " + status;
    nlohmann::json args = {{"id", opts.id}, {"status", status}, {"reason", opts.reason}};
    return store->AppendAudit(
        actor, "assets " + std::string(status == "confirmed" ? "confirm" : "reject"),
        core::Sha256Hex(args.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)),
        "ok: " + outcome + ": " + opts.reason);
  }));
  fmt::print("{}\n", core::Printable(core::SanitizeUtf8(outcome)));
  return Ok();
}

void AddDecision(CLI::App& assets, Context& ctx, const char* name, const char* status, const char* help) {
  auto opts = std::make_shared<DecisionOptions>();
  auto* cmd = assets.add_subcommand(name, help);
  cmd->add_option("id", opts->id, "Asset id (see `ciiscope assets list`)")->required();
  cmd->add_option("--reason", opts->reason, "Why (kept with the asset and in the audit trail)")->required();
  std::string st = status;
  cmd->callback([&ctx, opts, st] {
    ctx.action = [&ctx, opts, st]() -> Status {
      if (opts->reason.empty()) return Error(ErrorCode::kInvalidArgument, "--reason must not be empty");
      return Decide(ctx, st, *opts);
    };
  });
}

}  // namespace

void AddAssetDecisionCommands(CLI::App& assets, Context& ctx) {
  AddDecision(assets, ctx, "confirm", "confirmed",
              "Confirm an asset as critical information infrastructure (CII)");
  AddDecision(assets, ctx, "reject", "rejected", "Reject an asset's CII candidacy");
}

}  // namespace ciiscope::app
