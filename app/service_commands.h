#pragma once
// Commands of issue 8 (service/): kept out of app/context.h so adding them
// touches no shared header.

#include "app/context.h"

namespace ciiscope::app {

void AddTrailCommand(CLI::App& app, Context& ctx);   // trail verify|list
void AddConfigCommand(CLI::App& app, Context& ctx);  // config check
void AddDaemonCommand(CLI::App& app, Context& ctx);  // daemon, jobs list
void AddKeyPeriodCommand(CLI::App& app, Context& ctx);  // keyperiod status|baseline
void AddLookbackCommand(CLI::App& app, Context& ctx);   // lookback list
void AddSpotcheckCommand(CLI::App& app, Context& ctx);  // spotcheck

}  // namespace ciiscope::app
