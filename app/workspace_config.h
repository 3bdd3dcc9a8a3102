#pragma once
// Reads the workspace configuration before a command runs (docs/config.md):
// --config FILE (which must exist), else ./ciiscope.yaml when present. Its
// database, lang and rules become the defaults for options not given on the
// command line. A configuration with errors stops every command with its
// `file:line:column: message`, except `config check`, which reports it.

#include "app/context.h"

namespace ciiscope::app {

Status ApplyWorkspaceConfig(const CLI::App& cli, Context& ctx, const std::string& config_flag);

}  // namespace ciiscope::app
