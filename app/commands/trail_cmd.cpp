// `ciiscope trail verify|list`: the hash-chained audit trail (docs/trail.md).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "app/context.h"
#include "app/service_commands.h"
#include "core/clock.h"
#include "core/text.h"
#include "inventory/store/store.h"
#include "inventory/store/trail.h"

namespace ciiscope::app {

namespace {

using nlohmann::json;

// The trail is only read: never create an empty database to check.
Result<std::unique_ptr<inventory::Store>> OpenExisting(const Context& ctx) {
  std::error_code ec;
  if (!std::filesystem::exists(ctx.global.db, ec)) {
    return Error(ErrorCode::kNotFound, ctx.global.db + ": no such database");
  }
  return OpenStore(ctx);
}

}  // namespace

void AddTrailCommand(CLI::App& app, Context& ctx) {
  auto* trail = app.add_subcommand("trail", "The tamper-evident audit trail of operator commands");
  trail->require_subcommand(1);
  auto as_json = std::make_shared<bool>(false);
  auto limit = std::make_shared<int64_t>(0);

  auto* verify = trail->add_subcommand(
      "verify", "Check every row's hash, link and id, and the head against <db>.trail-head "
                "(exit 0 intact, 3 broken)");
  verify->add_flag("--json", *as_json, "JSON output");
  verify->callback([&ctx, as_json] {
    ctx.action = [&ctx, as_json]() -> Status {
      CII_ASSIGN_OR_RETURN(auto store, OpenExisting(ctx));
      CII_ASSIGN_OR_RETURN(auto check, inventory::VerifyTrail(*store));
      if (*as_json) {
        json j{{"ok", check.ok},           {"rows", check.rows},
               {"head_id", check.head_id}, {"head_hash", check.head_hash},
               {"anchor", inventory::TrailAnchorPath(store->path())}, {"anchored", check.anchored}};
        if (!check.ok) {
          j["bad_row"] = check.bad_id;
          j["reason"] = check.reason;
        }
        fmt::print("{}\n", j.dump(2));
      } else if (check.ok) {
        fmt::print("trail intact: {} rows, head #{} {}{}\n", check.rows, check.head_id,
                   check.head_hash.substr(0, 16),
                   check.anchored ? " (matches " + inventory::TrailAnchorPath(store->path()) + ")" : "");
      } else {
        fmt::print("trail BROKEN at row {}: {}\n", check.bad_id,
                   core::Printable(core::SanitizeUtf8(check.reason)));
      }
      if (!check.ok) ctx.exit_code = kExitRuntime;
      return Ok();
    };
  });

  auto* list = trail->add_subcommand("list", "List the audit trail, oldest first");
  list->add_flag("--json", *as_json, "JSON output");
  list->add_option("--last", *limit, "Only the newest N rows")->check(CLI::PositiveNumber);
  list->callback([&ctx, as_json, limit] {
    ctx.action = [&ctx, as_json, limit]() -> Status {
      CII_ASSIGN_OR_RETURN(auto store, OpenExisting(ctx));
      int64_t after = 0;
      if (*limit > 0) {
        CII_ASSIGN_OR_RETURN(int64_t last, inventory::LastAuditId(*store));
        after = std::max<int64_t>(0, last - *limit);
      }
      CII_ASSIGN_OR_RETURN(auto rows,
                           inventory::AuditSince(*store, after, std::numeric_limits<size_t>::max()));
      if (*as_json) {
        json arr = json::array();
        for (const auto& r : rows) {
          arr.push_back({{"id", r.id},
                         {"time", core::FormatIsoTime(r.time)},
                         {"actor", r.actor},
                         {"command", r.command},
                         {"args_digest", r.args_digest},
                         {"outcome", r.outcome},
                         {"prev_hash", r.prev_hash},
                         {"hash", r.hash}});
        }
        fmt::print("{}\n", arr.dump(2, ' ', false, json::error_handler_t::replace));
        return Ok();
      }
      fmt::print("{:>6}  {:<24}  {:<12}  {:<24}  {:<12}  {}\n", "ID", "TIME", "ACTOR", "COMMAND",
                 "ARGS", "OUTCOME");
      for (const auto& r : rows) {
        fmt::print("{:>6}  {:<24}  {:<12}  {:<24}  {:<12}  {}\n", r.id, core::FormatIsoTime(r.time),
                   core::Printable(core::SanitizeUtf8(r.actor)),
                   core::Printable(core::SanitizeUtf8(r.command)), r.args_digest.substr(0, 12),
                   core::Printable(core::SanitizeUtf8(r.outcome)));
      }
      return Ok();
    };
  });
}

}  // namespace ciiscope::app
