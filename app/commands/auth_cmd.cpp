// `ciiscope auth add|list`: the recorded authorizations (授权书) that every
// scan must fall inside (CII Regulations Art. 31).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "app/context.h"
#include "core/clock.h"
#include "core/hash.h"
#include "inventory/store/store.h"
#include "scanner/scope_policy.h"

namespace ciiscope::app {
namespace {

// "2026-01-31" (start of day, or end of day when end_of_day) or
// "2026-01-31T08:00[:00][Z]", UTC, to Unix ms.
Result<int64_t> ParseDate(const std::string& flag, const std::string& text, bool end_of_day) {
  std::tm tm{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  char tail[8] = {};
  int n = std::sscanf(text.c_str(), "%4d-%2d-%2d%7s", &year, &month, &day, tail);
  bool ok = n == 3 && text.size() == 10;
  bool has_time = false;
  if (!ok && n == 4 && tail[0] == 'T') {
    int m = std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &year, &month, &day, &hour,
                        &minute, &second);
    ok = m >= 5;
    has_time = true;
  }
  if (!ok || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
      second > 60) {
    return Error(ErrorCode::kInvalidArgument,
                 flag + " '" + text + "': expected a date YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] (UTC)");
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  int64_t ms = static_cast<int64_t>(timegm(&tm)) * 1000;
  if (end_of_day && !has_time) ms += 24 * 3600 * 1000 - 1;
  return ms;
}

std::vector<std::string> SplitScope(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    size_t start = 0;
    while (start <= v.size()) {
      size_t comma = v.find(',', start);
      std::string item = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!item.empty()) out.push_back(item);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

std::string StateOf(const inventory::Authorization& a, int64_t now) {
  if (a.revoked_at != 0) return "revoked";
  if (now < a.valid_from) return "not-yet-valid";
  if (a.valid_to != 0 && now > a.valid_to) return "expired";
  return "valid";
}

std::string Window(int64_t from, int64_t to) {
  return (from == 0 ? std::string("-") : core::FormatIsoTime(from)) + " .. " +
         (to == 0 ? std::string("(no end)") : core::FormatIsoTime(to));
}

}  // namespace

void AddAuthCommand(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("auth", "Authorizations to scan (授权书; CII Regulations Art. 31)");
  cmd->require_subcommand(1);

  struct AddOpts {
    std::string ref, issuer, from, to;
    std::vector<std::string> scope;
  };
  auto add_opts = std::make_shared<AddOpts>();
  auto* add = cmd->add_subcommand("add", "Record an authorization: reference, issuer, scope, window");
  add->add_option("--ref", add_opts->ref, "Document reference (授权书 number)")->required();
  add->add_option("--issuer", add_opts->issuer, "Who issued it (unit or department)")->required();
  add->add_option("--scope", add_opts->scope,
                  "CIDRs, addresses, host names or *.domain, comma-separated")
      ->required();
  add->add_option("--from", add_opts->from, "Valid from (YYYY-MM-DD, UTC)")->required();
  add->add_option("--to", add_opts->to, "Valid until, inclusive (YYYY-MM-DD, UTC)")->required();
  add->callback([&ctx, add_opts] {
    ctx.action = [&ctx, add_opts]() -> Status {
      inventory::Authorization a;
      a.reference = add_opts->ref;
      a.issuer = add_opts->issuer;
      a.scope = SplitScope(add_opts->scope);
      if (a.reference.empty() || a.issuer.empty()) {
        return Error(ErrorCode::kInvalidArgument, "--ref and --issuer must not be empty");
      }
      CII_RETURN_IF_ERROR(scanner::ParseAuthScope(a.scope));
      CII_ASSIGN_OR_RETURN(a.valid_from, ParseDate("--from", add_opts->from, false));
      CII_ASSIGN_OR_RETURN(a.valid_to, ParseDate("--to", add_opts->to, true));
      if (a.valid_to < a.valid_from) {
        return Error(ErrorCode::kInvalidArgument, "--to " + add_opts->to + " is before --from " +
                                                      add_opts->from);
      }
      a.created_by = Actor(ctx);
      a.created_at = core::NowMillis();
      CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
      int64_t id = 0;
      nlohmann::json args = {{"ref", a.reference}, {"issuer", a.issuer}, {"scope", a.scope},
                             {"from", a.valid_from}, {"to", a.valid_to}};
      CII_RETURN_IF_ERROR(store->Transaction([&]() -> Status {
        CII_ASSIGN_OR_RETURN(id, store->AddAuthorization(a));
        return store->AppendAudit(a.created_by, "auth add", core::Sha256Hex(args.dump()),
                                  "ok: authorization " + std::to_string(id) + " " + a.reference);
      }));
      fmt::print("authorization {} recorded: {} from {}, {} target spec(s), {}\n", id, a.reference,
                 a.issuer, a.scope.size(), Window(a.valid_from, a.valid_to));
      return Ok();
    };
  });

  auto json = std::make_shared<bool>(false);
  auto* list = cmd->add_subcommand("list", "List the recorded authorizations");
  list->add_flag("--json", *json, "Print as JSON");
  list->callback([&ctx, json] {
    ctx.action = [&ctx, json]() -> Status {
      CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
      CII_ASSIGN_OR_RETURN(auto all, store->ListAuthorizations());
      const int64_t now = core::NowMillis();
      if (*json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& a : all) {
          out.push_back({{"id", a.id},
                         {"reference", a.reference},
                         {"issuer", a.issuer},
                         {"scope", a.scope},
                         {"valid_from", a.valid_from},
                         {"valid_to", a.valid_to},
                         {"created_by", a.created_by},
                         {"created_at", a.created_at},
                         {"state", StateOf(a, now)}});
        }
        fmt::print("{}\n", out.dump(2));
        return Ok();
      }
      for (const auto& a : all) {
        std::string scope;
        for (const auto& s : a.scope) scope += (scope.empty() ? "" : ",") + s;
        fmt::print("{:>4}  {:<14} {:<20} {:<24} {}  {}\n", a.id, StateOf(a, now), a.reference,
                   a.issuer, Window(a.valid_from, a.valid_to), scope);
      }
      return Ok();
    };
  });
}

}  // namespace ciiscope::app
