#include "app/context.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "app/config_apply.h"
#include "inventory/store/store.h"

namespace ciiscope::app {

namespace fs = std::filesystem;

Result<std::unique_ptr<inventory::Store>> OpenStore(const Context& ctx) {
  CII_ASSIGN_OR_RETURN(auto store, inventory::Store::Open(ctx.global.db));
  CII_RETURN_IF_ERROR(SyncConfig(ctx, *store));  // ciiscope.yaml: authorizations, units, baselines
  return store;
}

std::string RulesDir(const Context& ctx) {
  if (!ctx.global.rules_dir.empty()) return ctx.global.rules_dir;
  if (const char* env = std::getenv("CIISCOPE_RULES"); env && *env) return env;
  std::error_code ec;
  if (!ctx.exe_path.empty()) {
    fs::path installed = fs::path(ctx.exe_path).parent_path() / ".." / "share" / "ciiscope" / "rules";
    if (fs::is_directory(installed, ec)) return fs::weakly_canonical(installed, ec).string();
  }
  return CIISCOPE_DEFAULT_RULES_DIR;
}

std::string Actor(const Context& ctx) {
  if (!ctx.global.actor.empty()) return ctx.global.actor;
  if (const passwd* pw = getpwuid(geteuid()); pw && pw->pw_name) return pw->pw_name;
  return "uid:" + std::to_string(geteuid());
}

std::string Lang(const Context& ctx) {
  if (!ctx.global.lang.empty()) return ctx.global.lang;
  for (const char* var : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    if (const char* v = std::getenv(var); v && *v) {
      return std::string(v).starts_with("zh") ? "zh" : "en";
    }
  }
  return "en";
}

}  // namespace ciiscope::app
