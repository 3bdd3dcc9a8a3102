#include "rulelang/yaml_reader.h"

#include "core/text.h"

#include <charconv>
#include <cstdlib>
#include <optional>

namespace ciiscope::rulelang::internal {
namespace {

constexpr int kMaxJsonDepth = 32;

// Control characters shown escaped (\n, \t, \xNN), so a message stays one line.
std::string EscapeControls(std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string s;
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '\n') s += "\\n";
    else if (c == '\t') s += "\\t";
    else if (u < 0x20 || u == 0x7f) s += std::string("\\x") + kHex[u >> 4] + kHex[u & 15];
    else s += c;
  }
  return s;
}

std::string JoinAllowed(const std::vector<std::string_view>& allowed) {
  std::string out;
  for (std::string_view a : allowed) {
    if (!out.empty()) out += ", ";
    out += a;
  }
  return out;
}

nlohmann::json TypedPlainScalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  const char* begin = s.data();
  const char* end = s.data() + s.size();
  const char* digits = (s[0] == '+' || s[0] == '-') ? begin + 1 : begin;
  if (digits < end && s.size() <= 19) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s[0] == '+' ? begin + 1 : begin, end, v);
    if (ec == std::errc() && p == end) return v;
  }
  bool has_digit = false, numeric_chars = true;
  for (char c : s) {
    if (c >= '0' && c <= '9') has_digit = true;
    else if (c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-') numeric_chars = false;
  }
  if (has_digit && numeric_chars) {
    char* stop = nullptr;
    double v = std::strtod(s.c_str(), &stop);
    if (stop == s.c_str() + s.size()) return v;
  }
  return s;
}

}  // namespace

SourcePos YamlReader::Pos(const YAML::Mark& mark) const {
  SourcePos pos;
  pos.file = path_;
  pos.line = mark.line >= 0 ? mark.line + 1 : 1;
  pos.column = mark.column >= 0 ? mark.column + 1 : 1;
  return pos;
}

SourcePos YamlReader::TextStart(const YAML::Node& node) const {
  SourcePos pos = Pos(node);
  const YAML::Mark mark = node.Mark();
  if (mark.pos < 0 || static_cast<size_t>(mark.pos) >= content_.size()) return pos;
  size_t i = static_cast<size_t>(mark.pos);
  char c = content_[i];
  if (c == '"' || c == '\'') {
    pos.column += 1;
    return pos;
  }
  if (c != '|' && c != '>') return pos;
  // Block scalar: the text starts on the first non-blank line after the indicator.
  size_t line_start = content_.find('\n', i);
  int line = pos.line;
  while (line_start != std::string_view::npos) {
    ++line;
    size_t begin = line_start + 1;
    size_t indent = begin;
    while (indent < content_.size() && content_[indent] == ' ') ++indent;
    if (indent < content_.size() && content_[indent] != '\n' && content_[indent] != '\r') {
      pos.line = line;
      pos.column = static_cast<int>(indent - begin) + 1;
      return pos;
    }
    line_start = content_.find('\n', begin);
  }
  return pos;
}

std::string YamlReader::Quote(std::string_view text) {
  std::string s = EscapeControls(core::TruncateUtf8(text, 40));
  if (text.size() > 40) s += "...";
  return "'" + s + "'";
}

Error YamlReader::OneLine(const Error& error) {
  return Error(error.code(), EscapeControls(error.message()));
}

std::string YamlReader::Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Scalar: return Quote(node.Scalar());
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a mapping";
    default: return "nothing";
  }
}

Result<std::string> YamlReader::String(const YAML::Node& node, const std::string& what) const {
  if (!node.IsScalar()) return Fail(node, "expected " + what + " to be a string, got " + Describe(node));
  return node.Scalar();
}

Result<bool> YamlReader::Bool(const YAML::Node& node, const std::string& what) const {
  if (node.IsScalar() && node.Tag() != "!") {
    const std::string& s = node.Scalar();
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
  }
  return Fail(node, "expected " + what + " to be true or false, got " + Describe(node));
}

Result<int> YamlReader::PositiveInt(const YAML::Node& node, const std::string& what) const {
  if (node.IsScalar()) {
    const std::string& s = node.Scalar();
    int v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && p == s.data() + s.size() && v >= 1) return v;
  }
  return Fail(node, "expected " + what + " to be a positive integer, got " + Describe(node));
}

Result<std::vector<std::string>> YamlReader::StringList(const YAML::Node& node, const std::string& what) const {
  if (!node.IsSequence()) return Fail(node, "expected " + what + " to be a list of strings, got " + Describe(node));
  std::vector<std::string> out;
  for (const YAML::Node& item : node) {
    CII_ASSIGN_OR_RETURN(std::string s, String(item, "each item of " + what));
    out.push_back(std::move(s));
  }
  return out;
}

Status YamlReader::CheckKeys(const YAML::Node& node, const std::string& what,
                             const std::vector<std::string_view>& allowed, std::vector<Error>* all) const {
  if (!node.IsMap()) return Fail(node, "expected " + what + " to be a mapping, got " + Describe(node));
  std::vector<std::string> seen;
  std::optional<Error> first;
  auto report = [&](Error e) {
    if (all) all->push_back(e);
    if (!first) first = std::move(e);
  };
  for (const auto& entry : node) {
    const YAML::Node key = entry.first;  // a copy: iterator proxies are temporaries
    if (!key.IsScalar()) {
      report(Fail(key, "expected a field name in " + what + ", got " + Describe(key)));
      if (!all) break;
      continue;
    }
    const std::string& name = key.Scalar();
    bool known = false;
    for (std::string_view a : allowed) known = known || a == name;
    if (!known) {
      report(Fail(key, "expected a field of " + what + " (" + JoinAllowed(allowed) + "), got unknown field " +
                           Quote(name)));
      if (!all) break;
      continue;
    }
    for (const std::string& s : seen) {
      if (s == name) report(Fail(key, "expected each field once in " + what + ", got " + Quote(name) + " again"));
    }
    if (first && !all) break;
    seen.push_back(name);
  }
  if (first) return *std::move(first);
  return Ok();
}

Status YamlReader::CheckShape(const YAML::Node& root) const {
  size_t visits = 0;
  // Explicit stack: the walk itself must not recurse on hostile depth.
  std::vector<std::pair<YAML::Node, int>> stack;
  stack.emplace_back(root, 1);
  while (!stack.empty()) {
    auto [node, depth] = std::move(stack.back());
    stack.pop_back();
    if (depth > kMaxYamlDepth) {
      return Fail(node, "expected at most " + std::to_string(kMaxYamlDepth) + " levels of nesting");
    }
    if (++visits > kMaxYamlNodes) {
      return Fail(node, "expected at most " + std::to_string(kMaxYamlNodes) +
                            " YAML nodes after alias expansion");
    }
    if (node.IsSequence()) {
      for (const YAML::Node& item : node) stack.emplace_back(item, depth + 1);
    } else if (node.IsMap()) {
      for (const auto& entry : node) {
        stack.emplace_back(entry.first, depth + 1);
        stack.emplace_back(entry.second, depth + 1);
      }
    }
  }
  return Ok();
}

Result<Text> YamlReader::BilingualText(const YAML::Node& node, const std::string& what) const {
  CII_RETURN_IF_ERROR(CheckKeys(node, what, {"zh", "en"}));
  Text text;
  for (const char* lang : {"zh", "en"}) {
    YAML::Node value = node[lang];
    if (!value) {
      return Fail(node, std::string("expected '") + lang + "' (" + (lang[0] == 'z' ? "Chinese" : "English") +
                            " text) in " + what);
    }
    CII_ASSIGN_OR_RETURN(std::string s, String(value, what + "." + lang));
    if (s.empty()) return Fail(value, "expected non-empty " + what + "." + lang);
    (lang[0] == 'z' ? text.zh : text.en) = std::move(s);
  }
  return text;
}

Result<nlohmann::json> YamlReader::Json(const YAML::Node& node) { return JsonAt(node, 0); }

Result<nlohmann::json> YamlReader::JsonAt(const YAML::Node& node, int depth) {
  if (depth > kMaxJsonDepth) return Fail(node, "expected at most " + std::to_string(kMaxJsonDepth) + " levels of nesting");
  if (budget_ == 0) return Fail(node, "expected fewer than 100000 values in this file's tests");
  --budget_;
  switch (node.Type()) {
    case YAML::NodeType::Scalar: {
      const std::string& tag = node.Tag();
      if (tag == "!" || tag == "tag:yaml.org,2002:str") return nlohmann::json(node.Scalar());
      return TypedPlainScalar(node.Scalar());
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const YAML::Node& item : node) {
        CII_ASSIGN_OR_RETURN(nlohmann::json v, JsonAt(item, depth + 1));
        out.push_back(std::move(v));
      }
      return out;
    }
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      for (auto it = node.begin(); it != node.end(); ++it) {
        if (!it->first.IsScalar()) return Fail(it->first, "expected a string key, got " + Describe(it->first));
        CII_ASSIGN_OR_RETURN(nlohmann::json v, JsonAt(it->second, depth + 1));
        out[it->first.Scalar()] = std::move(v);
      }
      return out;
    }
    default:
      return nlohmann::json();
  }
}

Result<nlohmann::json> YamlReader::FieldMap(const YAML::Node& node, const std::string& what, bool scalars_only) {
  if (!node.IsMap()) return Fail(node, "expected " + what + " to be a mapping of field paths to values, got " + Describe(node));
  nlohmann::json out = nlohmann::json::object();
  for (auto it = node.begin(); it != node.end(); ++it) {
    CII_ASSIGN_OR_RETURN(std::string key, String(it->first, "a field path in " + what));
    if (!IsValidFieldPath(key)) {
      return Fail(it->first, "expected a dotted field path such as service.product in " + what + ", got " + Quote(key));
    }
    if (out.contains(key)) return Fail(it->first, "expected each field once in " + what + ", got " + Quote(key) + " again");
    if (scalars_only && !it->second.IsScalar()) {
      return Fail(it->second, "expected a string, number or boolean for " + what + "." + key + ", got " +
                                  Describe(it->second));
    }
    CII_ASSIGN_OR_RETURN(nlohmann::json v, JsonAt(it->second, 1));
    out[key] = std::move(v);
  }
  return out;
}

}  // namespace ciiscope::rulelang::internal
