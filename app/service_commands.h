#pragma once
// Commands of issue 8 (service/): kept out of app/context.h so adding them
// touches no shared header.

#include "app/context.h"

namespace ciiscope::app {

void AddTrailCommand(CLI::App& app, Context& ctx);   // trail verify|list
void AddConfigCommand(CLI::App& app, Context& ctx);  // config check
void AddDaemonCommand(CLI::App& app, Context& ctx);  // daemon, jobs list

}  // namespace ciiscope::app
