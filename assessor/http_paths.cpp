#include "assessor/http_paths.h"

#include <algorithm>
#include <string>

#include "core/text.h"

namespace ciiscope::assessor {
namespace {

using nlohmann::json;

std::string Str(const json& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

int Status(const json& obj) {
  if (!obj.is_object()) return 0;
  auto it = obj.find("status");
  return it != obj.end() && it->is_number_integer() ? it->get<int>() : 0;
}

std::string Location(const json& obj) {
  if (!obj.is_object() || !obj.contains("headers")) return "";
  return Str(obj["headers"], "location");
}

// Whether `page` is the server's generic answer rather than the resource:
// the same status as the not-found check with the same body or the same
// title (or, for redirects, the same Location), or a 200 with the very body
// of "/" (single-page apps answer every path with their index).
bool LooksLikeNotFound(const json& page, const json& not_found, const json& root) {
  const int status = Status(page);
  if (status == 0) return false;
  if (not_found.is_object() && Status(not_found) == status && status != 404 && status != 410) {
    if (!Str(page, "body_sha256").empty() && Str(page, "body_sha256") == Str(not_found, "body_sha256")) {
      return true;
    }
    if (!Str(page, "title").empty() && Str(page, "title") == Str(not_found, "title")) return true;
    if (status >= 300 && status < 400 && Location(page) == Location(not_found)) return true;
  }
  return status == 200 && root.is_object() && Status(root) == 200 &&
         !Str(page, "body_sha256").empty() && Str(page, "body_sha256") == Str(root, "body_sha256");
}

}  // namespace

void CollectedPaths::Add(json data) {
  if (!data.is_object()) return;
  std::string path = Str(data, "path");
  if (path.empty()) return;
  if (data.value("not_found_check", false)) {
    if (not_found_.is_null()) not_found_ = std::move(data);
    return;
  }
  if (!paths_.contains(path)) paths_[path] = std::move(data);
}

void CollectedPaths::WriteTo(json& facts) && {
  if (paths_.empty() && not_found_.is_null()) return;
  json& http = facts["http"];
  if (!http.is_object()) http = json::object();
  for (auto& [path, page] : paths_.items()) page["soft404"] = LooksLikeNotFound(page, not_found_, http);
  http["paths"] = std::move(paths_);
  if (!not_found_.is_null()) http["not_found"] = std::move(not_found_);
}

json CollectedPathsDetail(const rulelang::Rule& rule, const json& facts) {
  if (!rule.collect.is_object() || !rule.collect.contains("http")) return nullptr;
  auto http = facts.find("http");
  if (http == facts.end() || !http->is_object() || !http->contains("paths")) return nullptr;
  const json& paths = (*http)["paths"];
  json out = json::object();
  for (const json& entry : rule.collect["http"]) {
    std::string path = Str(entry, "path");
    if (path.empty() || !paths.contains(path)) continue;
    const json& page = paths[path];
    json d = json::object();
    for (const char* k : {"url", "status", "content_type", "body_bytes", "soft404"}) {
      if (page.contains(k)) d[k] = page[k];
    }
    d["title"] = core::TruncateUtf8(Str(page, "title"), 256);
    out[path] = std::move(d);
  }
  return out.empty() ? json(nullptr) : out;
}

json CollectedRequestsDetail(const rulelang::Rule& rule, const json& facts) {
  if (!rule.collect.is_object() || !rule.collect.contains("requests")) return nullptr;
  auto collect = facts.find("collect");
  if (collect == facts.end() || !collect->is_object()) return nullptr;
  json out = json::object();
  for (const json& name : rule.collect["requests"]) {
    if (!name.is_string()) continue;
    std::string key = name.get<std::string>();
    std::replace(key.begin(), key.end(), '-', '_');
    auto it = collect->find(key);
    if (it == collect->end() || !it->is_object()) continue;
    json d = json::object();
    for (const auto& [k, v] : it->items()) {
      if (d.size() >= 32) break;
      if (v.is_string()) {
        d[k] = core::TruncateUtf8(v.get<std::string>(), 256);
      } else if (!v.is_structured()) {
        d[k] = v;
      }
    }
    out[name.get<std::string>()] = std::move(d);
  }
  return out.empty() ? json(nullptr) : out;
}

}  // namespace ciiscope::assessor
