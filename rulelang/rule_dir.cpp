// A directory of rule packs → RuleSet.

#include <algorithm>
#include <filesystem>
#include <map>

#include "rulelang/rule.h"

namespace ciiscope::rulelang {
namespace fs = std::filesystem;

RuleSet LoadRuleDir(const std::string& dir) {
  RuleSet set;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    set.errors.emplace_back(ErrorCode::kNotFound, dir + ": expected a directory of rule files");
    return set;
  }
  std::vector<std::string> files;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& p = it->path();
    std::string name = p.filename().string();
    // Hidden entries, and rules/scoring/ (scoring tables, not rules:
    // rulelang/scoring_table.h) at the top level.
    bool scoring = it.depth() == 0 && name == "scoring" && it->is_directory(ec);
    if ((!name.empty() && name[0] == '.') || scoring) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    std::string ext = p.extension().string();
    if ((ext == ".yaml" || ext == ".yml") && it->is_regular_file(ec)) files.push_back(p.string());
  }
  if (ec) set.errors.emplace_back(ErrorCode::kIo, dir + ": expected a readable directory (" + ec.message() + ")");
  std::sort(files.begin(), files.end());

  std::map<std::string, SourcePos> seen;
  for (const std::string& file : files) {
    Result<Rule> rule = LoadRuleFile(file);
    if (!rule) {
      set.errors.push_back(std::move(rule).error());
      continue;
    }
    auto [where, inserted] = seen.emplace(rule->id, rule->source);
    if (!inserted) {
      set.errors.emplace_back(ErrorCode::kParse, rule->source.ToString() + ": expected a unique rule id, got '" +
                                                     rule->id + "' again (first in " + where->second.file + ")");
      continue;
    }
    set.rules.push_back(std::move(rule).value());
  }
  return set;
}

}  // namespace ciiscope::rulelang
