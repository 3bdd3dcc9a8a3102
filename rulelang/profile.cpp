// Profile YAML → Profile; validation as in rule_loader.cpp.

#include "rulelang/profile.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <yaml-cpp/yaml.h>

#include "rulelang/yaml_reader.h"

namespace ciiscope::rulelang {
namespace {

using internal::YamlReader;
namespace fs = std::filesystem;

YAML::Node Field(const YAML::Node& map, const char* key) { return map[key]; }

Result<ProfileItem> LoadItem(YamlReader& reader, const YAML::Node& node) {
  CII_RETURN_IF_ERROR(reader.CheckKeys(node, "a profile item",
                                       {"id", "clause", "title", "rules", "references", "tags", "requires"}));
  ProfileItem item;
  item.pos = reader.Pos(node);
  YAML::Node id = Field(node, "id"), title = Field(node, "title");
  if (!id) return reader.Fail(node, "expected required field 'id' in a profile item");
  if (!title) return reader.Fail(node, "expected required field 'title' in a profile item");
  CII_ASSIGN_OR_RETURN(item.id, reader.String(id, "item id"));
  if (item.id.empty()) return reader.Fail(id, "expected a non-empty item id");
  CII_ASSIGN_OR_RETURN(item.title, reader.BilingualText(title, "title"));
  if (YAML::Node c = Field(node, "clause")) {
    CII_ASSIGN_OR_RETURN(item.clause, reader.String(c, "clause"));
  }
  if (YAML::Node r = Field(node, "rules")) {
    CII_ASSIGN_OR_RETURN(item.rules, reader.StringList(r, "rules"));
  }
  if (YAML::Node r = Field(node, "references")) {
    CII_ASSIGN_OR_RETURN(item.references, reader.StringList(r, "references"));
  }
  if (YAML::Node t = Field(node, "tags")) {
    CII_ASSIGN_OR_RETURN(item.tags, reader.StringList(t, "tags"));
  }
  if (item.rules.empty() && item.references.empty() && item.tags.empty()) {
    return reader.Fail(node, "expected rules, references or tags saying which findings evidence item " + item.id);
  }
  if (YAML::Node r = Field(node, "requires")) {
    CII_ASSIGN_OR_RETURN(std::string text, reader.String(r, "requires"));
    if (text == "service") item.needs = ProfileEvidence::kService;
    else if (text == "tls") item.needs = ProfileEvidence::kTls;
    else if (text == "http") item.needs = ProfileEvidence::kHttp;
    else if (text == "unit") item.needs = ProfileEvidence::kUnit;
    else return reader.Fail(r, "expected requires to be service, tls, http or unit, got " + YamlReader::Quote(text));
  }
  return item;
}

Result<Profile> Build(YamlReader& reader, const YAML::Node& root) {
  CII_RETURN_IF_ERROR(reader.CheckShape(root));
  CII_RETURN_IF_ERROR(reader.CheckKeys(root, "a profile", {"id", "title", "standard", "level", "items"}));
  Profile p;
  p.source = SourcePos{reader.path(), 1, 1};
  YAML::Node id = Field(root, "id"), title = Field(root, "title"), items = Field(root, "items");
  if (!id) return reader.Fail(root, "expected required field 'id'");
  if (!title) return reader.Fail(root, "expected required field 'title'");
  if (!items) return reader.Fail(root, "expected required field 'items'");
  CII_ASSIGN_OR_RETURN(p.id, reader.String(id, "id"));
  CII_ASSIGN_OR_RETURN(p.title, reader.BilingualText(title, "title"));
  if (YAML::Node s = Field(root, "standard")) {
    CII_ASSIGN_OR_RETURN(p.standard, reader.String(s, "standard"));
  }
  if (YAML::Node l = Field(root, "level")) {
    CII_ASSIGN_OR_RETURN(p.level, reader.PositiveInt(l, "level"));
  }
  if (!items.IsSequence()) return reader.Fail(items, "expected items to be a list, got " + YamlReader::Describe(items));
  for (const YAML::Node& node : items) {
    CII_ASSIGN_OR_RETURN(ProfileItem item, LoadItem(reader, node));
    for (const ProfileItem& other : p.items) {
      if (other.id == item.id) return reader.Fail(node, "expected a unique item id, got " + YamlReader::Quote(item.id) + " again");
    }
    p.items.push_back(std::move(item));
  }
  return p;
}

bool HasWord(std::string_view text, std::string_view word) {
  auto boundary = [](char c) { return c == ' ' || c == ',' || c == ';' || c == '/' || c == '(' || c == ')'; };
  for (size_t at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    bool left = at == 0 || boundary(text[at - 1]);
    size_t end = at + word.size();
    bool right = end == text.size() || boundary(text[end]);
    if (left && right) return true;
  }
  return false;
}

}  // namespace

std::string_view ProfileEvidenceName(ProfileEvidence e) {
  switch (e) {
    case ProfileEvidence::kService: return "service";
    case ProfileEvidence::kTls: return "tls";
    case ProfileEvidence::kHttp: return "http";
    case ProfileEvidence::kUnit: return "unit";
  }
  return "service";
}

static Result<Profile> ParseProfileUnescaped(std::string_view yaml, const std::string& path) {
  YamlReader reader(yaml, path);
  if (yaml.size() > kMaxRuleFileBytes) {
    return reader.Fail(SourcePos{path, 1, 1}, "expected a profile of at most " + std::to_string(kMaxRuleFileBytes) + " bytes");
  }
  try {
    std::vector<YAML::Node> docs = YAML::LoadAll(std::string(yaml));
    if (docs.size() != 1 || !docs[0].IsMap()) {
      return reader.Fail(SourcePos{path, 1, 1}, "expected one YAML mapping describing a profile");
    }
    return Build(reader, docs[0]);
  } catch (const YAML::Exception& e) {
    return reader.Fail(reader.Pos(e.mark), "expected valid YAML (" + e.msg + ")");
  } catch (const std::exception& e) {
    return reader.Fail(SourcePos{path, 1, 1}, std::string("expected valid YAML (") + e.what() + ")");
  }
}

Result<Profile> ParseProfile(std::string_view yaml, const std::string& path) {
  Result<Profile> p = ParseProfileUnescaped(yaml, path);
  if (!p) return YamlReader::OneLine(p.error());
  return p;
}

Result<Profile> LoadProfileFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kIo, path + ":1:1: expected a readable profile file");
  std::string content(kMaxRuleFileBytes + 1, '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  content.resize(static_cast<size_t>(in.gcount()));
  return ParseProfile(content, path);
}

Result<Profile> FindProfile(const std::string& dir, const std::string& name) {
  std::error_code ec;
  if (fs::is_regular_file(name, ec)) return LoadProfileFile(name);
  std::vector<std::string> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string ext = it->path().extension().string();
    if ((ext == ".yaml" || ext == ".yml") && it->is_regular_file(ec)) files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());
  for (const std::string& file : files) {
    if (fs::path(file).stem() == name) return LoadProfileFile(file);
  }
  for (const std::string& file : files) {
    auto p = LoadProfileFile(file);
    if (p && p->id == name) return p;
  }
  return Error(ErrorCode::kNotFound, "no profile '" + name + "' in " + dir + " (a file path or a profile id)");
}

bool ItemCovers(const ProfileItem& item, const Rule& rule) {
  if (std::find(item.rules.begin(), item.rules.end(), rule.id) != item.rules.end()) return true;
  for (const std::string& token : item.references) {
    for (const std::string& ref : rule.references) {
      if (HasWord(ref, token)) return true;
    }
  }
  for (const std::string& tag : item.tags) {
    if (std::find(rule.tags.begin(), rule.tags.end(), tag) != rule.tags.end()) return true;
  }
  return false;
}

}  // namespace ciiscope::rulelang
