#include "app/config_apply.h"

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <spdlog/spdlog.h>

#include "app/units_file.h"
#include "core/clock.h"
#include "core/hash.h"
#include "inventory/store/store.h"
#include "rulelang/scoring_table.h"
#include "scanner/scope_policy.h"
#include "service/config.h"
#include "service/keyperiod.h"
#include "service/tz.h"

namespace ciiscope::app {

namespace {

namespace fs = std::filesystem;

constexpr int64_t kDayMs = 24LL * 3600 * 1000;

std::string ConfigSource(const service::Config& config) {
  std::error_code ec;
  auto p = fs::weakly_canonical(config.path, ec);
  return "config:" + (ec ? config.path : p.string());
}

std::string Digest(const nlohmann::json& j) {
  return core::Sha256Hex(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// "YYYY-MM-DD" (start of day; end of day for `to`) or a date-time, UTC → ms.
Result<int64_t> AuthTime(const std::string& text, bool end) {
  CII_ASSIGN_OR_RETURN(int64_t s, service::ParseLocalDateTime(text, service::TimeZone::Utc()));
  int64_t ms = s * 1000;
  if (end && text.size() == 10) ms += kDayMs - 1;
  return ms;
}

Status SyncAuthorizations(const Context& ctx, const service::Config& config,
                          inventory::Store& store) {
  const std::string source = ConfigSource(config);
  CII_ASSIGN_OR_RETURN(auto recorded, store.ListAuthorizations());
  std::vector<inventory::Authorization> wanted;
  for (const auto& a : config.authorizations) {
    inventory::Authorization w;
    w.reference = a.ref;
    w.issuer = a.issuer;
    w.scope = a.scope;
    CII_ASSIGN_OR_RETURN(w.valid_from, AuthTime(a.from, false));
    CII_ASSIGN_OR_RETURN(w.valid_to, AuthTime(a.to, true));
    if (auto scope = scanner::ParseAuthScope(w.scope); !scope) {
      return Error(ErrorCode::kInvalidArgument,
                   config.path + ": authorization " + a.ref + ": " + scope.error().message());
    }
    w.created_by = source;
    wanted.push_back(std::move(w));
  }
  auto same = [](const inventory::Authorization& x, const inventory::Authorization& y) {
    return x.reference == y.reference && x.issuer == y.issuer && x.scope == y.scope &&
           x.valid_from == y.valid_from && x.valid_to == y.valid_to;
  };
  const int64_t now = core::NowMillis();
  const std::string actor = Actor(ctx);
  return store.Transaction([&]() -> Status {
    for (const auto& r : recorded) {
      if (r.created_by != source || r.revoked_at != 0) continue;
      bool kept = false;
      for (const auto& w : wanted) kept = kept || same(r, w);
      if (kept) continue;
      CII_RETURN_IF_ERROR(store.RevokeAuthorization(r.id, now));
      CII_RETURN_IF_ERROR(store.AppendAudit(
          actor, "auth revoke", Digest({{"id", r.id}, {"source", source}}),
          "ok: authorization " + std::to_string(r.id) + " " + r.reference +
              " no longer in " + config.path));
    }
    for (auto& w : wanted) {
      bool have = false;
      for (const auto& r : recorded) {
        have = have || (r.created_by == source && r.revoked_at == 0 && same(r, w));
      }
      if (have) continue;
      w.created_at = now;
      CII_ASSIGN_OR_RETURN(int64_t id, store.AddAuthorization(w));
      CII_RETURN_IF_ERROR(store.AppendAudit(
          actor, "auth add",
          Digest({{"ref", w.reference}, {"issuer", w.issuer}, {"scope", w.scope},
                  {"from", w.valid_from}, {"to", w.valid_to}, {"source", source}}),
          "ok: authorization " + std::to_string(id) + " " + w.reference + " from " + config.path));
    }
    return Ok();
  });
}

Status SyncUnits(const Context& ctx, const service::Config& config, inventory::Store& store) {
  if (config.units_file.empty()) return Ok();
  CII_ASSIGN_OR_RETURN(std::string text, ReadUnitsFile(config.units_file));
  const std::string digest = core::Sha256Hex(text);
  const std::string key = "units:" + ConfigSource(config);
  CII_ASSIGN_OR_RETURN(auto last, store.ConfigState(key));
  if (last && *last == digest) return Ok();
  CII_ASSIGN_OR_RETURN(auto existing, store.ListUnits());
  std::set<std::string> known;
  for (const auto& u : existing) known.insert(u.code);
  CII_ASSIGN_OR_RETURN(auto list, ParseUnitsFile(text, config.units_file, known));
  CII_RETURN_IF_ERROR(store.Transaction([&]() -> Status {
    CII_RETURN_IF_ERROR(store.ImportUnits(list));
    CII_RETURN_IF_ERROR(store.SetConfigState(key, digest));
    return store.AppendAudit(Actor(ctx), "units import",
                             Digest({{"file", config.units_file}, {"units", list.size()},
                                     {"sha256", digest}}),
                             "ok: " + std::to_string(list.size()) + " unit(s) from " +
                                 config.units_file + " (ciiscope.yaml units, changed)");
  }));
  spdlog::info("units file {} changed: imported {} unit(s)", config.units_file, list.size());
  return Ok();
}

Status SyncBaselines(const Context& ctx, const service::Config& config, inventory::Store& store) {
  if (config.key_periods.empty()) return Ok();
  const std::string actor = Actor(ctx);
  CII_ASSIGN_OR_RETURN(auto taken, service::EnsureBaselines(store, config, core::NowMillis(), actor));
  for (const auto& name : taken) {
    CII_RETURN_IF_ERROR(store.AppendAudit(actor, "keyperiod baseline", Digest({{"name", name}}),
                                          "ok: baseline of key period " + name +
                                              " (first command in its window)"));
  }
  return Ok();
}

}  // namespace

std::vector<std::string> ConfigExclusions(const Context& ctx) {
  return ctx.config ? ctx.config->exclusions : std::vector<std::string>{};
}

Status SyncConfig(const Context& ctx, inventory::Store& store) {
  if (!ctx.config) return Ok();
  CII_RETURN_IF_ERROR(SyncUnits(ctx, *ctx.config, store));
  CII_RETURN_IF_ERROR(SyncAuthorizations(ctx, *ctx.config, store));
  return SyncBaselines(ctx, *ctx.config, store);
}

Result<DueFunction> AssessDuePolicy(const Context& ctx, inventory::Store& store) {
  if (!ctx.config) return DueFunction();
  CII_ASSIGN_OR_RETURN(auto units, store.ListUnits());
  auto policy = std::make_shared<service::DuePolicy>(*ctx.config, units);
  return DueFunction([policy](std::string_view severity, std::string_view address, int64_t now) {
    return policy->DueAt(severity, address, now);
  });
}

void ApplyConfigScoring(const Context& ctx, rulelang::ScoringTable& table) {
  if (!ctx.config || ctx.config->scoring.empty()) return;
  std::string given;
  for (const auto& [severity, weight] : ctx.config->scoring) {
    table.severity_weights[severity] = weight;
    given += (given.empty() ? "" : ",") + severity;
  }
  table.source += " + " + ctx.config->path + " scoring (" + given + ")";
}

}  // namespace ciiscope::app
