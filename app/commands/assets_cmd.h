#pragma once
// `assets confirm|reject ID --reason …`: the operator's CII decision on an
// asset identify rules proposed (or did not). Added under the `assets`
// command that list_cmd.cpp creates.

namespace CLI {
class App;
}

namespace ciiscope::app {
struct Context;
void AddAssetDecisionCommands(CLI::App& assets, Context& ctx);
}  // namespace ciiscope::app
