#include "rulelang/scoring_table.h"

#include <exception>
#include <filesystem>
#include <fstream>

#include "rulelang/yaml_reader.h"

namespace ciiscope::rulelang {
namespace {

constexpr size_t kMaxScoringFileBytes = 64 * 1024;
constexpr const char* kSeverities[] = {"info", "low", "medium", "high", "critical"};

using internal::YamlReader;

Result<double> Number(YamlReader& r, const YAML::Node& node, const std::string& what) {
  if (!node.IsDefined() || node.IsNull()) return r.Fail(node, "expected a number for " + what);
  CII_ASSIGN_OR_RETURN(nlohmann::json v, r.Json(node));
  if (!v.is_number()) {
    return r.Fail(node, "expected a number for " + what + ", got " + YamlReader::Describe(node));
  }
  double d = v.get<double>();
  if (d < 0 || d > 1e6) return r.Fail(node, "expected a number from 0 to 1000000 for " + what);
  return d;
}

Result<std::map<std::string, double>> NumberMap(YamlReader& r, const YAML::Node& node,
                                                const std::string& what) {
  if (!node.IsMap()) return r.Fail(node, "expected a mapping for " + what);
  std::map<std::string, double> out;
  for (auto it = node.begin(); it != node.end(); ++it) {
    YAML::Node key = it->first;
    YAML::Node value = it->second;
    CII_ASSIGN_OR_RETURN(std::string name, r.String(key, what + " key"));
    CII_ASSIGN_OR_RETURN(double v, Number(r, value, what + "." + name));
    if (!out.emplace(name, v).second) return r.Fail(key, "expected unique keys in " + what);
  }
  return out;
}

Result<ScoringTable> Parse(const std::string& content, const std::string& path) {
  YamlReader r(content, path);
  YAML::Node root = YAML::Load(content);
  if (!root.IsMap()) return r.Fail(root, "expected a mapping (a scoring table)");
  CII_RETURN_IF_ERROR(r.CheckKeys(
      root, "scoring table",
      {"version", "base", "floor", "severity_weights", "criticality_multipliers",
       "cii_multipliers", "overdue_extra", "repeat_extra", "shadow_asset_points", "shadow_rules",
       "counted_statuses"}));
  auto need = [&](const char* key) -> Result<YAML::Node> {
    YAML::Node n = root[key];
    if (!n.IsDefined()) return r.Fail(root, std::string("expected key '") + key + "'");
    return n;
  };
  ScoringTable t;
  t.source = path;
  CII_ASSIGN_OR_RETURN(YAML::Node version, need("version"));
  CII_ASSIGN_OR_RETURN(t.version, r.PositiveInt(version, "version"));
  CII_ASSIGN_OR_RETURN(YAML::Node base, need("base"));
  CII_ASSIGN_OR_RETURN(t.base, Number(r, base, "base"));
  CII_ASSIGN_OR_RETURN(YAML::Node floor, need("floor"));
  CII_ASSIGN_OR_RETURN(t.floor, Number(r, floor, "floor"));
  if (t.floor >= t.base) return r.Fail(floor, "expected floor below base");
  CII_ASSIGN_OR_RETURN(YAML::Node weights, need("severity_weights"));
  CII_ASSIGN_OR_RETURN(t.severity_weights, NumberMap(r, weights, "severity_weights"));
  for (const char* s : kSeverities) {
    if (t.severity_weights.count(s) == 0) {
      return r.Fail(weights, std::string("expected a weight for severity '") + s + "'");
    }
  }
  if (t.severity_weights.size() != std::size(kSeverities)) {
    return r.Fail(weights, "expected only the severities info, low, medium, high, critical");
  }
  CII_ASSIGN_OR_RETURN(YAML::Node crit, need("criticality_multipliers"));
  CII_ASSIGN_OR_RETURN(t.criticality_multipliers, NumberMap(r, crit, "criticality_multipliers"));
  CII_ASSIGN_OR_RETURN(YAML::Node cii, need("cii_multipliers"));
  CII_ASSIGN_OR_RETURN(t.cii_multipliers, NumberMap(r, cii, "cii_multipliers"));
  CII_ASSIGN_OR_RETURN(YAML::Node overdue, need("overdue_extra"));
  CII_ASSIGN_OR_RETURN(t.overdue_extra, Number(r, overdue, "overdue_extra"));
  CII_ASSIGN_OR_RETURN(YAML::Node repeat, need("repeat_extra"));
  CII_ASSIGN_OR_RETURN(t.repeat_extra, Number(r, repeat, "repeat_extra"));
  CII_ASSIGN_OR_RETURN(YAML::Node shadow, need("shadow_asset_points"));
  CII_ASSIGN_OR_RETURN(t.shadow_asset_points, Number(r, shadow, "shadow_asset_points"));
  CII_ASSIGN_OR_RETURN(YAML::Node shadow_rules, need("shadow_rules"));
  CII_ASSIGN_OR_RETURN(t.shadow_rules, r.StringList(shadow_rules, "shadow_rules"));
  CII_ASSIGN_OR_RETURN(YAML::Node counted, need("counted_statuses"));
  CII_ASSIGN_OR_RETURN(t.counted_statuses, r.StringList(counted, "counted_statuses"));
  return t;
}

}  // namespace

std::string ScoringTablePath(const std::string& rules_dir) {
  return (std::filesystem::path(rules_dir) / "scoring" / "scoring.yaml").string();
}

Result<ScoringTable> LoadScoringTable(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Error(ErrorCode::kIo, path + ":1:1: expected a readable scoring table");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kIo, path + ":1:1: expected a readable scoring table");
  std::string content(kMaxScoringFileBytes + 1, '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  content.resize(static_cast<size_t>(in.gcount()));
  if (content.size() > kMaxScoringFileBytes) {
    return Error(ErrorCode::kParse, path + ":1:1: expected a scoring table of at most " +
                                        std::to_string(kMaxScoringFileBytes) + " bytes");
  }
  try {
    return Parse(content, path);
  } catch (const YAML::Exception& e) {
    return Error(ErrorCode::kParse, path + ":" + std::to_string(e.mark.line + 1) + ":" +
                                        std::to_string(e.mark.column + 1) + ": " + e.msg);
  } catch (const std::exception& e) {
    return Error(ErrorCode::kParse, path + ":1:1: " + e.what());
  }
}

}  // namespace ciiscope::rulelang
