// YAML rule file → compiled Rule. All validation happens here ("compile,
// then match"); yaml-cpp exceptions never leave this file.

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include "rulelang/collect_yaml.h"
#include "rulelang/rule.h"
#include "rulelang/yaml_reader.h"

namespace ciiscope::rulelang {
namespace {

using internal::YamlReader;

const std::vector<std::string_view> kTopLevel = {
    "id",   "kind",       "version", "severity", "title", "description", "remediation", "tags",
    "references", "when", "set",     "extract",  "collect", "tests"};
const std::vector<std::string_view> kSeverities = {"info", "low", "medium", "high", "critical"};

bool ValidId(const std::string& id) {
  if (id.empty() || id.size() > 128 || !std::isalnum(static_cast<unsigned char>(id[0]))) return false;
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  }
  return true;
}

// Reads a const map entry without inserting it (non-const operator[] would).
YAML::Node Field(const YAML::Node& map, const char* key) { return map[key]; }

class RuleLoader {
 public:
  RuleLoader(std::string_view content, const std::string& path) : content_(content), reader_(content, path) {}

  // Every error found goes to errors_; the first is returned.
  Result<Rule> Load() {
    Result<Rule> rule = LoadDocument();
    if (!rule) {
      bool recorded = std::any_of(errors_.begin(), errors_.end(),
                                  [&](const Error& e) { return e.message() == rule.error().message(); });
      if (!recorded) errors_.push_back(rule.error());
    }
    if (errors_.empty()) return rule;
    for (Error& e : errors_) e = YamlReader::OneLine(e);
    // File order; errors about the whole file (at 1:1, e.g. a missing
    // field) come after those that point somewhere.
    std::stable_sort(errors_.begin(), errors_.end(), [](const Error& a, const Error& b) {
      auto key = [](const Error& e) {
        auto p = PositionOf(e);
        return p == std::pair<long, long>{1, 1} ? std::pair<long, long>{LONG_MAX, 0} : p;
      };
      return key(a) < key(b);
    });
    return errors_.front();
  }
  std::vector<Error>& errors() { return errors_; }

 private:
  Result<Rule> LoadDocument() {
    std::vector<YAML::Node> docs;
    try {
      docs = YAML::LoadAll(std::string(content_));
    } catch (const YAML::Exception& e) {
      return reader_.Fail(reader_.Pos(e.mark), "expected valid YAML (" + e.msg + ")");
    } catch (const std::exception& e) {
      return reader_.Fail(SourcePos{reader_.path(), 1, 1}, std::string("expected valid YAML (") + e.what() + ")");
    }
    if (docs.empty()) return reader_.Fail(SourcePos{reader_.path(), 1, 1}, "expected a rule mapping, got an empty file");
    if (docs.size() > 1) return reader_.Fail(docs[1], "expected one rule per file, got a second YAML document");
    try {
      CII_RETURN_IF_ERROR(reader_.CheckShape(docs[0]));
      return Build(docs[0]);
    } catch (const YAML::Exception& e) {
      return reader_.Fail(reader_.Pos(e.mark), "expected a well-formed rule (" + e.msg + ")");
    } catch (const std::exception& e) {
      return reader_.Fail(docs[0], std::string("expected a well-formed rule (") + e.what() + ")");
    }
  }

  // Records a field's error and lets the loader go on with the next field,
  // so lint reports every problem of a file at once.
  void Step(Status status) {
    if (!status) errors_.push_back(std::move(status).error());
  }

  Result<Rule> Build(const YAML::Node& root) {
    if (!root.IsMap()) return reader_.Fail(root, "expected a mapping of rule fields, got " + YamlReader::Describe(root));
    (void)reader_.CheckKeys(root, "a rule", kTopLevel, &errors_);
    Rule rule;
    rule.source = SourcePos{reader_.path(), 1, 1};
    auto missing = [&](const std::string& field) {
      return reader_.Fail(root, "expected required field '" + field + "'");
    };

    Step([&]() -> Status {
      YAML::Node id = Field(root, "id");
      if (!id) return missing("id");
      CII_ASSIGN_OR_RETURN(rule.id, reader_.String(id, "id"));
      if (!ValidId(rule.id)) {
        return reader_.Fail(id, "expected id of letters, digits, '-', '_' or '.' (at most 128), got " + YamlReader::Quote(rule.id));
      }
      return Ok();
    }());

    YAML::Node kind = Field(root, "kind");
    if (!kind) return missing("kind");
    CII_ASSIGN_OR_RETURN(std::string kind_name, reader_.String(kind, "kind"));
    if (kind_name == "fingerprint") rule.kind = RuleKind::kFingerprint;
    else if (kind_name == "identify") rule.kind = RuleKind::kIdentify;
    else if (kind_name == "check") rule.kind = RuleKind::kCheck;
    else return reader_.Fail(kind, "expected kind fingerprint, identify or check, got " + YamlReader::Quote(kind_name));
    bool is_check = rule.kind == RuleKind::kCheck;

    Step([&]() -> Status {
      if (YAML::Node v = Field(root, "version")) {
        CII_ASSIGN_OR_RETURN(rule.version, reader_.PositiveInt(v, "version"));
      }
      return Ok();
    }());
    Step([&]() -> Status {
      if (YAML::Node sev = Field(root, "severity")) {
        CII_ASSIGN_OR_RETURN(rule.severity, reader_.String(sev, "severity"));
        bool known = false;
        for (std::string_view s : kSeverities) known = known || s == rule.severity;
        if (!known) {
          return reader_.Fail(sev, "expected severity info, low, medium, high or critical, got " + YamlReader::Quote(rule.severity));
        }
      } else if (is_check) {
        return missing("severity");
      }
      return Ok();
    }());
    Step([&]() -> Status {
      YAML::Node title = Field(root, "title");
      if (!title) return missing("title");
      CII_ASSIGN_OR_RETURN(rule.title, reader_.BilingualText(title, "title"));
      return Ok();
    }());
    Step([&]() -> Status {
      if (YAML::Node d = Field(root, "description")) {
        CII_ASSIGN_OR_RETURN(rule.description, reader_.BilingualText(d, "description"));
      }
      return Ok();
    }());
    Step([&]() -> Status {
      if (YAML::Node r = Field(root, "remediation")) {
        CII_ASSIGN_OR_RETURN(rule.remediation, reader_.BilingualText(r, "remediation"));
      } else if (is_check) {
        return missing("remediation");
      }
      return Ok();
    }());
    Step([&]() -> Status {
      if (YAML::Node t = Field(root, "tags")) {
        CII_ASSIGN_OR_RETURN(rule.tags, reader_.StringList(t, "tags"));
      }
      return Ok();
    }());
    Step([&]() -> Status {
      if (YAML::Node r = Field(root, "references")) {
        CII_ASSIGN_OR_RETURN(rule.references, reader_.StringList(r, "references"));
      }
      return Ok();
    }());
    Step([&]() -> Status {
      YAML::Node when = Field(root, "when");
      if (!when) return missing("when");
      CII_ASSIGN_OR_RETURN(std::string when_text, reader_.String(when, "when (an expression)"));
      CII_ASSIGN_OR_RETURN(rule.when, Expression::Compile(when_text, reader_.TextStart(when)));
      return Ok();
    }());
    Step([&]() -> Status {
      YAML::Node s = Field(root, "set");
      if (s) {
        CII_ASSIGN_OR_RETURN(rule.set, reader_.FieldMap(s, "set", /*scalars_only=*/true));
      }
      if (rule.kind != RuleKind::kIdentify) return Ok();
      if (!s) return missing("set (asset.role and asset.criticality of an identify rule)");
      return LoadIdentity(s, &rule);
    }());
    Step([&]() -> Status {
      if (YAML::Node e = Field(root, "extract")) return LoadExtract(e, &rule);
      return Ok();
    }());
    Step([&]() -> Status {
      if (YAML::Node c = Field(root, "collect")) {
        CII_ASSIGN_OR_RETURN(rule.collect, internal::LoadCollect(reader_, c));
      }
      return Ok();
    }());
    Step([&]() -> Status {
      if (YAML::Node t = Field(root, "tests")) return LoadTests(t, &rule);
      return Ok();
    }());
    if (!errors_.empty()) return errors_.front();
    return rule;
  }

  // (line, column) parsed back from "file:line:col: …", for file order.
  static std::pair<long, long> PositionOf(const Error& e) {
    const std::string& m = e.message();
    size_t end = m.find(": ");
    if (end == std::string::npos) return {0, 0};
    size_t c2 = m.rfind(':', end - 1);
    size_t c1 = c2 == std::string::npos || c2 == 0 ? std::string::npos : m.rfind(':', c2 - 1);
    if (c1 == std::string::npos) return {0, 0};
    return {std::strtol(m.c_str() + c1 + 1, nullptr, 10), std::strtol(m.c_str() + c2 + 1, nullptr, 10)};
  }

  Status LoadIdentity(const YAML::Node& set, Rule* rule) {
    auto one_of = [&](const char* key, auto& allowed, bool required, std::string* out) -> Status {
      YAML::Node node = Field(set, key);
      if (!node && required) return reader_.Fail(set, std::string("expected '") + key + "' in the set of an identify rule");
      if (!node) return Ok();
      CII_ASSIGN_OR_RETURN(*out, reader_.String(node, key));
      for (std::string_view a : allowed) {
        if (a == *out) return Ok();
      }
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return reader_.Fail(node, std::string("expected ") + key + " to be one of " + list + ", got " + YamlReader::Quote(*out));
    };
    static constexpr std::string_view kCriticalities[] = {"low", "medium", "high"};
    CII_RETURN_IF_ERROR(one_of("asset.role", kAssetRoles, true, &rule->identity.role));
    CII_RETURN_IF_ERROR(one_of("asset.criticality", kCriticalities, true, &rule->identity.criticality));
    if (YAML::Node cii = Field(set, "asset.cii")) {
      CII_ASSIGN_OR_RETURN(rule->identity.cii_candidate, reader_.Bool(cii, "asset.cii"));
    }
    if (YAML::Node data = Field(set, "asset.data")) {
      CII_ASSIGN_OR_RETURN(std::string text, reader_.String(data, "asset.data"));
      std::string tag;
      for (size_t i = 0; i <= text.size(); ++i) {
        char c = i < text.size() ? text[i] : ',';
        if (c != ',' && c != ' ') {
          tag += c;
          continue;
        }
        if (tag.empty()) continue;
        if (std::find(std::begin(kDataTags), std::end(kDataTags), tag) == std::end(kDataTags)) {
          std::string list;
          for (std::string_view a : kDataTags) list += (list.empty() ? "" : ", ") + std::string(a);
          return reader_.Fail(data, "expected asset.data to list data categories (" + list + "), got " + YamlReader::Quote(tag));
        }
        rule->identity.data_tags.push_back(std::move(tag));
        tag.clear();
      }
    }
    return Ok();
  }

  Status LoadExtract(const YAML::Node& list, Rule* rule) {
    if (!list.IsSequence()) {
      return reader_.Fail(list, "expected extract to be a list of {target, from, regex}, got " +
                                    YamlReader::Describe(list));
    }
    for (const YAML::Node& item : list) {
      CII_RETURN_IF_ERROR(reader_.CheckKeys(item, "an extract entry", {"target", "from", "regex"}));
      YAML::Node target = Field(item, "target"), from = Field(item, "from"), regex = Field(item, "regex");
      if (!target || !from || !regex) {
        return reader_.Fail(item, "expected target, from and regex in each extract entry");
      }
      CII_ASSIGN_OR_RETURN(std::string target_text, reader_.String(target, "extract target"));
      CII_ASSIGN_OR_RETURN(std::string from_text, reader_.String(from, "extract from"));
      CII_ASSIGN_OR_RETURN(std::string pattern, reader_.String(regex, "extract regex"));
      if (!IsValidFieldPath(target_text)) {
        return reader_.Fail(target, "expected a dotted field path such as service.version, got " + YamlReader::Quote(target_text));
      }
      RE2::Options options;
      options.set_log_errors(false);
      options.set_max_mem(1 << 20);
      RE2 re(pattern, options);
      if (!re.ok()) return reader_.Fail(regex, "expected a valid RE2 regex (" + re.error() + ")");
      if (re.NumberOfCapturingGroups() < 1) return reader_.Fail(regex, "expected a regex with a capture group");
      CII_ASSIGN_OR_RETURN(Extraction e, Extraction::Compile(target_text, from_text, pattern, reader_.TextStart(from)));
      rule->extract.push_back(std::move(e));
    }
    return Ok();
  }

  Status LoadTests(const YAML::Node& list, Rule* rule) {
    if (!list.IsSequence()) {
      return reader_.Fail(list, "expected tests to be a list of {name, match, facts, expect}, got " +
                                    YamlReader::Describe(list));
    }
    for (const YAML::Node& item : list) {
      CII_RETURN_IF_ERROR(reader_.CheckKeys(item, "a test", {"name", "match", "facts", "expect"}));
      RuleTest test;
      test.pos = reader_.Pos(item);
      YAML::Node name = Field(item, "name"), match = Field(item, "match");
      if (!name) return reader_.Fail(item, "expected required field 'name' in a test");
      if (!match) return reader_.Fail(item, "expected required field 'match' (true or false) in a test");
      CII_ASSIGN_OR_RETURN(test.name, reader_.String(name, "test name"));
      CII_ASSIGN_OR_RETURN(test.expect_match, reader_.Bool(match, "match"));
      if (YAML::Node facts = Field(item, "facts")) {
        if (!facts.IsMap()) return reader_.Fail(facts, "expected facts to be a mapping, got " + YamlReader::Describe(facts));
        CII_ASSIGN_OR_RETURN(test.facts, reader_.Json(facts));
      }
      if (YAML::Node expect = Field(item, "expect")) {
        CII_ASSIGN_OR_RETURN(test.expect, reader_.FieldMap(expect, "expect", /*scalars_only=*/false));
      }
      rule->tests.push_back(std::move(test));
    }
    return Ok();
  }

  std::string_view content_;
  YamlReader reader_;
  std::vector<Error> errors_;
};

}  // namespace

Result<Rule> ParseRule(std::string_view yaml, const std::string& path, std::vector<Error>* all_errors) {
  if (yaml.size() > kMaxRuleFileBytes) {
    Error e(ErrorCode::kParse, path + ":1:1: expected a rule file of at most " +
                                   std::to_string(kMaxRuleFileBytes) + " bytes");
    if (all_errors) all_errors->push_back(e);
    return e;
  }
  RuleLoader loader(yaml, path);
  Result<Rule> rule = loader.Load();
  if (all_errors) {
    for (Error& e : loader.errors()) all_errors->push_back(std::move(e));
  }
  return rule;
}

Result<Rule> LoadRuleFile(const std::string& path, std::vector<Error>* all_errors) {
  auto fail = [&](Error e) -> Result<Rule> {
    if (all_errors) all_errors->push_back(e);
    return e;
  };
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return fail(Error(ErrorCode::kIo, path + ":1:1: expected a readable rule file"));
  }
  auto size = std::filesystem::file_size(path, ec);
  if (ec) return fail(Error(ErrorCode::kIo, path + ":1:1: expected a readable rule file (" + ec.message() + ")"));
  if (size > kMaxRuleFileBytes) {
    return fail(Error(ErrorCode::kParse, path + ":1:1: expected a rule file of at most " +
                                             std::to_string(kMaxRuleFileBytes) + " bytes, got " + std::to_string(size)));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Error(ErrorCode::kIo, path + ":1:1: expected a readable rule file"));
  std::string content(kMaxRuleFileBytes + 1, '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  content.resize(static_cast<size_t>(in.gcount()));
  return ParseRule(content, path, all_errors);
}

}  // namespace ciiscope::rulelang
