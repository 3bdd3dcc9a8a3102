// collect: validation (loader side) and the union of requests (scanner side).

#include "rulelang/collect.h"

#include <set>

#include "rulelang/collect_yaml.h"

namespace ciiscope::rulelang {
namespace {

bool PathChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("-._~!$&'()*+,;=:@/").find(c) != std::string_view::npos;
}

}  // namespace

std::string CollectPathProblem(std::string_view path) {
  if (path.empty() || path[0] != '/') {
    return "a path starting with '/' (no scheme or host)";
  }
  if (path.starts_with("//")) return "a path on the same host, not '//…' (a host)";
  if (path.size() > kMaxCollectPathBytes) {
    return "a path of at most " + std::to_string(kMaxCollectPathBytes) + " bytes";
  }
  for (char c : path) {
    if (!PathChar(c)) {
      return "a plain path of letters, digits and - . _ ~ ! $ & ' ( ) * + , ; = : @ / "
             "(no query, fragment, percent-encoding, spaces or backslashes)";
    }
  }
  size_t start = 1;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string_view segment = path.substr(start, slash == std::string_view::npos ? std::string_view::npos
                                                                                    : slash - start);
    if (segment == "." || segment == "..") return "a path without '.' or '..' segments";
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return "";
}

std::vector<HttpCollectRequest> HttpCollectRequests(const std::vector<Rule>& rules) {
  std::set<HttpCollectRequest> unique;
  for (const Rule& rule : rules) {
    if (!rule.collect.is_object() || !rule.collect.contains("http")) continue;
    const nlohmann::json& list = rule.collect["http"];
    if (!list.is_array()) continue;
    for (const nlohmann::json& entry : list) {
      if (!entry.is_object()) continue;
      std::string path = entry.value("path", std::string());
      std::string method = entry.value("method", std::string("GET"));
      if (!CollectPathProblem(path).empty() || (method != "GET" && method != "HEAD")) continue;
      unique.insert({std::move(path), std::move(method)});
    }
  }
  return {unique.begin(), unique.end()};
}

namespace internal {

Result<nlohmann::json> LoadCollect(YamlReader& reader, const YAML::Node& node) {
  if (!node.IsMap()) {
    return reader.Fail(node, "expected collect to be a mapping such as {http: [{path: /.git/HEAD}]}, got " +
                                 YamlReader::Describe(node));
  }
  CII_RETURN_IF_ERROR(reader.CheckKeys(node, "a collect block", {"http"}));
  nlohmann::json out = nlohmann::json::object();
  const YAML::Node& map = node;  // const: operator[] must not insert
  const YAML::Node http = map["http"];
  if (!http) return out;
  if (!http.IsSequence()) {
    return reader.Fail(http, "expected collect http to be a list of {path, method}, got " +
                                 YamlReader::Describe(http));
  }
  if (http.size() > kMaxCollectPerRule) {
    return reader.Fail(http, "expected at most " + std::to_string(kMaxCollectPerRule) +
                                 " collect http entries in one rule, got " + std::to_string(http.size()));
  }
  nlohmann::json list = nlohmann::json::array();
  for (const YAML::Node& item : http) {
    if (!item.IsScalar()) {
      CII_RETURN_IF_ERROR(reader.CheckKeys(item, "a collect http entry", {"path", "method"}));
      if (!item["path"]) return reader.Fail(item, "expected required field 'path' in a collect http entry");
    }
    // Shorthand "- /.git/HEAD" is a GET of that path.
    const YAML::Node path_node = item.IsScalar() ? item : item["path"];
    CII_ASSIGN_OR_RETURN(std::string path, reader.String(path_node, "collect path"));
    if (std::string problem = CollectPathProblem(path); !problem.empty()) {
      return reader.Fail(reader.TextStart(path_node), "expected " + problem + ", got '" +
                                                          path.substr(0, 80) + (path.size() > 80 ? "…'" : "'"));
    }
    std::string method = "GET";
    if (!item.IsScalar()) {
      if (const YAML::Node method_node = item["method"]) {
        CII_ASSIGN_OR_RETURN(method, reader.String(method_node, "collect method"));
        if (method != "GET" && method != "HEAD") {
          return reader.Fail(method_node, "expected collect method GET or HEAD (collection never writes), got '" +
                                              method.substr(0, 40) + "'");
        }
      }
    }
    list.push_back({{"path", path}, {"method", method}});
  }
  out["http"] = std::move(list);
  return out;
}

}  // namespace internal
}  // namespace ciiscope::rulelang
