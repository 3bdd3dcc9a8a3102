#pragma once
// Applies the validated workspace configuration (ctx.config, docs/config.md
// "What the commands apply") where it belongs:
//   exclusions      → every new scan, as --exclude (ConfigExclusions)
//   authorizations  → recorded in the store (created_by "config:FILE"), so the
//                     scan gate, `auth list` and the trail see them; one the
//                     file no longer lists is revoked (SyncConfig, on open)
//   units           → imported when the file's SHA-256 differs from the one
//                     last imported from the configuration (SyncConfig)
//   key periods     → a baseline when a command first opens the store inside
//                     a period's window (SyncConfig)
//   sla, key-period sla overrides → due dates of new findings (AssessDuePolicy)
//   scoring         → severity weights of the scoring table (ApplyConfigScoring)
// Each change SyncConfig makes is a row in the audit trail.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "app/context.h"
#include "core/result.h"

namespace ciiscope::rulelang {
struct ScoringTable;
}

namespace ciiscope::app {

std::vector<std::string> ConfigExclusions(const Context& ctx);

// Called by OpenStore: authorizations, units, key-period baselines.
Status SyncConfig(const Context& ctx, inventory::Store& store);

// The due-date function for assess; empty when there is no configuration.
using DueFunction = std::function<int64_t(std::string_view, std::string_view, int64_t)>;
Result<DueFunction> AssessDuePolicy(const Context& ctx, inventory::Store& store);

// Replaces the table's severity weights named in the configuration's
// `scoring` and notes it in table.source.
void ApplyConfigScoring(const Context& ctx, rulelang::ScoringTable& table);

}  // namespace ciiscope::app
