#pragma once
// Internal: typed reads from yaml-cpp nodes with file:line:col errors. The
// only place (with rule_loader.cpp) that sees yaml-cpp; its exceptions are
// caught by the caller.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "core/result.h"
#include "rulelang/rule.h"

namespace ciiscope::rulelang::internal {

class YamlReader {
 public:
  // `content` is the file text (for locating where a scalar's text starts).
  YamlReader(std::string_view content, std::string path) : content_(content), path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  SourcePos Pos(const YAML::Mark& mark) const;
  SourcePos Pos(const YAML::Node& node) const { return Pos(node.Mark()); }
  // Where the text of a scalar begins: after an opening quote, or on the
  // first content line of a block scalar (| or >).
  SourcePos TextStart(const YAML::Node& node) const;
  Error Fail(const SourcePos& at, const std::string& message) const {
    return Error(ErrorCode::kParse, at.ToString() + ": " + message);
  }
  Error Fail(const YAML::Node& at, const std::string& message) const { return Fail(Pos(at), message); }

  static std::string Describe(const YAML::Node& node);
  // 'text' for a message: one line, control characters escaped, cut at 40 bytes.
  static std::string Quote(std::string_view text);
  // The error with control characters in its message escaped (one line).
  static Error OneLine(const Error& error);

  Result<std::string> String(const YAML::Node& node, const std::string& what) const;
  Result<bool> Bool(const YAML::Node& node, const std::string& what) const;
  Result<int> PositiveInt(const YAML::Node& node, const std::string& what) const;
  Result<std::vector<std::string>> StringList(const YAML::Node& node, const std::string& what) const;
  // {zh, en}; both required.
  Result<Text> BilingualText(const YAML::Node& node, const std::string& what) const;
  // Any YAML value as JSON; plain scalars are typed by the YAML 1.2 core
  // schema (null, true/false, integers, floats), quoted ones are strings.
  // Bounded in depth and total nodes (aliases cannot blow it up).
  Result<nlohmann::json> Json(const YAML::Node& node);
  // A mapping of dotted field path → value (set:, expect:).
  Result<nlohmann::json> FieldMap(const YAML::Node& node, const std::string& what, bool scalars_only);

  // Checks that `node` is a mapping whose keys are all in `allowed` and unique.
  // With `all`, every bad key is appended there (the first is also returned).
  Status CheckKeys(const YAML::Node& node, const std::string& what,
                   const std::vector<std::string_view>& allowed, std::vector<Error>* all = nullptr) const;

  // Walks the parsed document once: at most kMaxYamlDepth levels and
  // kMaxYamlNodes nodes, counting every alias expansion (billion laughs).
  Status CheckShape(const YAML::Node& root) const;

 private:
  Result<nlohmann::json> JsonAt(const YAML::Node& node, int depth);

  std::string_view content_;
  std::string path_;
  size_t budget_ = 100000;  // JSON nodes left for tests' facts/expect
};

}  // namespace ciiscope::rulelang::internal
