#pragma once
// Internal to the loader: validates a rule's `collect:` node (rulelang/collect.h)
// and returns its normalized JSON, or a "file:line:col: expected …" error.

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "core/result.h"
#include "rulelang/yaml_reader.h"

namespace ciiscope::rulelang::internal {

Result<nlohmann::json> LoadCollect(YamlReader& reader, const YAML::Node& node);

}  // namespace ciiscope::rulelang::internal
