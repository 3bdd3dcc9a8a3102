#pragma once
// Runs the chosen command and, for state-changing commands, appends one row to
// the audit trail: actor, command path, digest of the argument vector,
// outcome. Commands that record themselves (e.g. `findings ack`, `auth add`)
// are not recorded twice: if a row for the same top-level command by the
// same actor was appended while the command ran, no second row is written.

#include <string>
#include <vector>

#include "app/context.h"

namespace ciiscope::app {

Status RunAudited(const CLI::App& cli, Context& ctx, const std::vector<std::string>& args);

}  // namespace ciiscope::app
