#include "app/units_file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "core/net.h"

namespace ciiscope::app {
namespace {

using inventory::Unit;

constexpr size_t kMaxFileBytes = 16 * 1024 * 1024;
const std::set<std::string> kLevels = {"ministry", "province", "city",
                                       "county",   "school",   "department"};
const std::set<std::string> kColumns = {"id",      "parent",  "name",    "level", "owner",
                                        "contact", "cidrs",   "domains", "rate"};
// The highest unit rate accepted (connections/s): beyond any scanner.
constexpr double kMaxUnitRate = 10'000'000;

Error At(const std::string& path, int line, const std::string& what) {
  return Error(ErrorCode::kParse, path + ":" + std::to_string(line) + ": " + what);
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ';' || c == ' ' || c == '\t' || c == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// A unit's `rate`: connections/s, a plain decimal number; "" or 0 = no limit
// of its own.
Result<double> ParseRate(const std::string& text, const std::string& code, const std::string& path,
                         int line) {
  if (text.empty()) return 0.0;
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || !(value >= 0) || value > kMaxUnitRate) {
    return At(path, line, (code.empty() ? std::string() : "unit " + code + ": ") + "rate '" + text +
                              "' is not a number of connections/s from 0 (no limit) to 10000000");
  }
  return value;
}

bool IsDomain(std::string_view d) {
  if (d.empty() || d.size() > 253 || d.front() == '.' || d.front() == '-') return false;
  return std::all_of(d.begin(), d.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

// Normalizes and checks one unit; `line` is where it starts.
Status CheckUnit(Unit& u, const std::string& path, int line) {
  if (u.code.empty()) return At(path, line, "unit without an id");
  if (u.name.empty()) return At(path, line, "unit " + u.code + " has no name");
  if (!kLevels.contains(u.level)) {
    return At(path, line, "unit " + u.code + ": level '" + u.level +
                              "' (expected ministry, province, city, county, school or department)");
  }
  if (u.parent_code == u.code) return At(path, line, "unit " + u.code + " is its own parent");
  for (auto& c : u.cidrs) {
    auto cidr = core::Cidr::Parse(c);
    if (!cidr) return At(path, line, "unit " + u.code + ": " + cidr.error().message());
    c = cidr->ToString();
  }
  for (auto& d : u.domains) {
    std::transform(d.begin(), d.end(), d.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
    while (!d.empty() && d.back() == '.') d.pop_back();
    if (!IsDomain(d)) return At(path, line, "unit " + u.code + ": '" + d + "' is not a domain name");
  }
  return Ok();
}

// Ids unique; parents inside the file form no cycle.
Status CheckAll(std::vector<Unit>& units, const std::vector<int>& lines, const std::string& path,
                const std::set<std::string>& known) {
  std::map<std::string, size_t> by_code;
  for (size_t i = 0; i < units.size(); ++i) {
    CII_RETURN_IF_ERROR(CheckUnit(units[i], path, lines[i]));
    auto [it, inserted] = by_code.emplace(units[i].code, i);
    if (!inserted) {
      return At(path, lines[i], "duplicate unit id " + units[i].code + " (first at line " +
                                    std::to_string(lines[it->second]) + ")");
    }
  }
  for (size_t i = 0; i < units.size(); ++i) {
    const std::string& parent = units[i].parent_code;
    if (!parent.empty() && !by_code.contains(parent) && !known.contains(parent)) {
      return At(path, lines[i], "unit " + units[i].code + ": parent " + parent +
                                    " is neither in the file nor in the ledger");
    }
  }
  for (size_t i = 0; i < units.size(); ++i) {
    size_t at = i;
    for (size_t steps = 0; steps <= units.size(); ++steps) {
      auto it = by_code.find(units[at].parent_code);
      if (units[at].parent_code.empty() || it == by_code.end()) break;
      at = it->second;
      if (at == i) return At(path, lines[i], "unit " + units[i].code + ": parents form a cycle");
    }
  }
  if (units.empty()) return At(path, 1, "no units");
  return Ok();
}

// One CSV record (RFC 4180 quoting); advances pos and line.
std::vector<std::string> CsvRecord(std::string_view text, size_t& pos, int& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  while (pos < text.size()) {
    char c = text[pos++];
    if (quoted) {
      if (c == '"' && pos < text.size() && text[pos] == '"') {
        fields.back().push_back('"');
        ++pos;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        fields.back().push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c == '\n') {
      ++line;
      break;
    } else if (c != '\r') {
      fields.back().push_back(c);
    }
  }
  return fields;
}

}  // namespace

Result<std::vector<Unit>> ParseUnitsCsv(std::string_view text, const std::string& path,
                                        const std::set<std::string>& known) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 BOM (spreadsheets)
  size_t pos = 0;
  int line = 1;
  std::vector<std::string> header = CsvRecord(text, pos, line);
  std::map<std::string, size_t> column;
  for (size_t i = 0; i < header.size(); ++i) {
    std::string name = Trim(header[i]);
    if (!kColumns.contains(name)) {
      return At(path, 1, "unknown column '" + name +
                             "' (expected id, parent, name, level, owner, contact, cidrs, domains, rate)");
    }
    column[name] = i;
  }
  for (const char* required : {"id", "name", "level"}) {
    if (!column.contains(required)) {
      return At(path, 1, std::string("header lacks the '") + required + "' column");
    }
  }
  std::vector<Unit> units;
  std::vector<int> lines;
  while (pos < text.size()) {
    int start = line;
    std::vector<std::string> f = CsvRecord(text, pos, line);
    if (f.size() == 1 && Trim(f[0]).empty()) continue;
    if (f.size() != header.size()) {
      return At(path, start, std::to_string(f.size()) + " fields, the header has " +
                                 std::to_string(header.size()));
    }
    auto get = [&](const char* k) {
      auto it = column.find(k);
      return it == column.end() ? std::string() : Trim(f[it->second]);
    };
    Unit u;
    u.code = get("id");
    u.parent_code = get("parent");
    u.name = get("name");
    u.level = get("level");
    u.owner = get("owner");
    u.contact = get("contact");
    u.cidrs = SplitList(get("cidrs"));
    u.domains = SplitList(get("domains"));
    CII_ASSIGN_OR_RETURN(u.rate, ParseRate(get("rate"), u.code, path, start));
    units.push_back(std::move(u));
    lines.push_back(start);
  }
  CII_RETURN_IF_ERROR(CheckAll(units, lines, path, known));
  return units;
}

Result<std::vector<Unit>> ParseUnitsYaml(std::string_view text, const std::string& path,
                                         const std::set<std::string>& known) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return At(path, e.mark.line + 1, e.msg);
  }
  if (root.IsMap() && root["units"]) root = root["units"];
  if (!root.IsSequence()) return At(path, 1, "expected a list of units (or units: [...])");
  std::vector<Unit> units;
  std::vector<int> lines;
  for (const auto& node : root) {
    int line = node.Mark().line + 1;
    if (!node.IsMap()) return At(path, line, "expected a unit (a mapping)");
    Unit u;
    std::optional<std::pair<std::string, int>> rate;  // text, line
    for (const auto& kv : node) {
      std::string key = kv.first.as<std::string>("");
      int at = kv.first.Mark().line + 1;
      if (!kColumns.contains(key)) return At(path, at, "unknown key '" + key + "'");
      const YAML::Node& v = kv.second;
      std::vector<std::string> list;
      if (v.IsSequence()) {
        for (const auto& item : v) {
          if (!item.IsScalar()) return At(path, at, key + ": expected text items");
          list.push_back(Trim(item.Scalar()));
        }
      } else if (v.IsScalar()) {
        list = SplitList(v.Scalar());
      } else if (!v.IsNull()) {
        return At(path, at, key + ": expected text");
      }
      if (key == "cidrs") {
        u.cidrs = list;
      } else if (key == "domains") {
        u.domains = list;
      } else {
        if (!v.IsScalar() && !v.IsNull()) return At(path, at, key + ": expected text");
        std::string value = v.IsScalar() ? Trim(v.Scalar()) : "";
        if (key == "id") u.code = value;
        if (key == "parent") u.parent_code = value;
        if (key == "name") u.name = value;
        if (key == "level") u.level = value;
        if (key == "owner") u.owner = value;
        if (key == "contact") u.contact = value;
        if (key == "rate") rate.emplace(value, at);
      }
    }
    if (rate) {
      CII_ASSIGN_OR_RETURN(u.rate, ParseRate(rate->first, u.code, path, rate->second));
    }
    units.push_back(std::move(u));
    lines.push_back(line);
  }
  CII_RETURN_IF_ERROR(CheckAll(units, lines, path, known));
  return units;
}

Result<std::string> ReadUnitsFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kIo, path + ": cannot read the units file");
  std::string text;
  text.resize(kMaxFileBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxFileBytes) return At(path, 1, "file larger than 16 MiB");
  return text;
}

Result<std::vector<Unit>> ParseUnitsFile(std::string_view text, const std::string& path,
                                         const std::set<std::string>& known) {
  auto ends = [&](std::string_view ext) { return path.size() >= ext.size() &&
                                                 path.ends_with(ext); };
  if (ends(".csv") || ends(".CSV")) return ParseUnitsCsv(text, path, known);
  if (ends(".yaml") || ends(".yml") || ends(".YAML")) return ParseUnitsYaml(text, path, known);
  return Error(ErrorCode::kInvalidArgument, path + ": units file must end in .csv, .yaml or .yml");
}

Result<std::vector<Unit>> LoadUnitsFile(const std::string& path,
                                        const std::set<std::string>& known) {
  CII_ASSIGN_OR_RETURN(std::string text, ReadUnitsFile(path));
  return ParseUnitsFile(text, path, known);
}

}  // namespace ciiscope::app
