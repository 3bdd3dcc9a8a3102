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

const std::vector<CollectRequestInfo>& CollectRequests() {
  static const std::vector<CollectRequestInfo> kRequests = {
      {"elasticsearch-root", "http",
       "the JSON the http/tls probe already received for GET / (name, cluster_name, version)"},
      {"memcached-stats", "memcached", "the probe's \"stats\" answer (no extra request)"},
      {"mongodb-buildinfo", "mongodb", "the probe's buildInfo answer on admin (no extra request)"},
      {"mongodb-listdatabases", "mongodb", "OP_MSG {listDatabases: 1, nameOnly: true} on admin"},
      {"redis-info", "redis", "INFO (default sections: server, clients, replication, keyspace, …)"},
  };
  return kRequests;
}

const CollectRequestInfo* FindCollectRequest(std::string_view name) {
  for (const CollectRequestInfo& r : CollectRequests()) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

std::string CollectRequestNameList() {
  std::string out;
  for (const CollectRequestInfo& r : CollectRequests()) {
    if (!out.empty()) out += ", ";
    out += r.name;
  }
  return out;
}

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

std::vector<std::string> NamedCollectRequests(const std::vector<Rule>& rules) {
  std::set<std::string> unique;
  for (const Rule& rule : rules) {
    if (!rule.collect.is_object() || !rule.collect.contains("requests")) continue;
    const nlohmann::json& list = rule.collect["requests"];
    if (!list.is_array()) continue;
    for (const nlohmann::json& name : list) {
      if (name.is_string() && FindCollectRequest(name.get<std::string>()) != nullptr) {
        unique.insert(name.get<std::string>());
      }
    }
  }
  return {unique.begin(), unique.end()};
}

namespace internal {
namespace {

Result<nlohmann::json> LoadRequests(YamlReader& reader, const YAML::Node& requests) {
  if (!requests.IsSequence()) {
    return reader.Fail(requests, "expected collect requests to be a list of request names such as "
                                 "[redis-info], got " + YamlReader::Describe(requests));
  }
  if (requests.size() > kMaxCollectPerRule) {
    return reader.Fail(requests, "expected at most " + std::to_string(kMaxCollectPerRule) +
                                     " collect requests in one rule, got " + std::to_string(requests.size()));
  }
  std::set<std::string> names;
  for (const YAML::Node& item : requests) {
    CII_ASSIGN_OR_RETURN(std::string name, reader.String(item, "collect request name"));
    if (FindCollectRequest(name) == nullptr) {
      return reader.Fail(reader.TextStart(item),
                         "expected a read-only collect request (one of " + CollectRequestNameList() +
                             "), got '" + name.substr(0, 80) + (name.size() > 80 ? "…'" : "'"));
    }
    names.insert(std::move(name));
  }
  return nlohmann::json(std::vector<std::string>(names.begin(), names.end()));
}

}  // namespace

Result<nlohmann::json> LoadCollect(YamlReader& reader, const YAML::Node& node) {
  if (!node.IsMap()) {
    return reader.Fail(node, "expected collect to be a mapping such as {http: [{path: /.git/HEAD}]} "
                             "or {requests: [redis-info]}, got " + YamlReader::Describe(node));
  }
  CII_RETURN_IF_ERROR(reader.CheckKeys(node, "a collect block", {"http", "requests"}));
  nlohmann::json out = nlohmann::json::object();
  const YAML::Node& map = node;  // const: operator[] must not insert
  if (const YAML::Node requests = map["requests"]) {
    CII_ASSIGN_OR_RETURN(out["requests"], LoadRequests(reader, requests));
  }
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
