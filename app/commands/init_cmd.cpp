#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "app/context.h"
#include "inventory/store/store.h"

namespace ciiscope::app {

namespace {

constexpr const char* kConfigTemplate = R"(# ciiscope workspace configuration.
# Every command reads this file when present; nothing requires it.
database: ciiscope.db
# Default report language: zh or en.
lang: zh
# Rule packs (default: the packs shipped with ciiscope).
# rules: /usr/share/ciiscope/rules
)";

}  // namespace

void AddInitCommand(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("init", "Create a workspace: ciiscope.yaml and the inventory database");
  cmd->callback([&ctx] {
    ctx.action = [&ctx]() -> Status {
      namespace fs = std::filesystem;
      std::error_code ec;
      if (!fs::exists("ciiscope.yaml", ec)) {
        std::ofstream out("ciiscope.yaml");
        out << kConfigTemplate;
        if (!out) return Error(ErrorCode::kIo, "cannot write ciiscope.yaml in the current directory");
        fmt::print("created ciiscope.yaml\n");
      } else {
        fmt::print("ciiscope.yaml exists; left as is\n");
      }
      CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
      fmt::print("inventory {} ready (schema version {})\n", ctx.global.db, store->schema_version());
      return Ok();
    };
  });
}

}  // namespace ciiscope::app
