// `masscan -oJ` and `-oL` → observations. masscan may report a port more
// than once (retransmits); each (address, transport, port) counts once.
#include <cstdlib>
#include <map>
#include <tuple>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/text.h"
#include "scanner/importers/import.h"

namespace ciiscope::scanner {
namespace {

using nlohmann::json;

struct Collector {
  const std::string& name;
  ImportResult result;
  std::set<std::string> hosts;
  std::set<std::tuple<std::string, std::string, uint16_t>> open_seen;

  explicit Collector(const std::string& n) : name(n) {
    result.tool = "masscan";
  }

  inventory::Observation Make(const std::string& address, const std::string& transport,
                              uint16_t port, const char* kind, int64_t time) {
    inventory::Observation obs;
    obs.address = address;
    obs.transport = port == 0 ? "" : transport;
    obs.port = port;
    obs.kind = kind;
    obs.time = time;
    return obs;
  }
  void Host(const std::string& address, int64_t time) {
    if (!hosts.insert(address).second) return;
    auto obs = Make(address, "", 0, "host_up", time);
    obs.data_json = R"({"reason":"masscan"})";
    result.observations.push_back(std::move(obs));
  }
  void Port(const std::string& address, const std::string& transport, uint16_t port,
            const std::string& state, const std::string& reason, int64_t time) {
    result.ports.push_back(port);
    if (state != "open") {
      (state == "closed" ? result.closed : result.filtered)++;
      return;
    }
    if (!open_seen.emplace(address, transport, port).second) return;
    Host(address, time);
    ++result.open;
    auto obs = Make(address, transport, port, "port_state", time);
    obs.state = "open";
    obs.data_json = json({{"state", "open"}, {"reason", reason}, {"source", "masscan"}}).dump();
    result.observations.push_back(std::move(obs));
  }
  void Banner(const std::string& address, const std::string& transport, uint16_t port,
              const std::string& service, const std::string& banner, int64_t time) {
    Host(address, time);
    auto obs = Make(address, transport, port, "banner", time);
    std::string text = core::SanitizeUtf8(banner);
    obs.data_json = json({{"text", text},
                          {"bytes", banner.size()},
                          {"truncated", false},
                          {"timed_out", false},
                          {"service", service},
                          {"source", "masscan"}})
                        .dump();
    obs.raw = banner;
    result.observations.push_back(std::move(obs));
  }
  Error Fail(const std::string& where, const std::string& what) const {
    return Error(ErrorCode::kParse, name + ": " + where + ": " + what);
  }
};

int64_t Millis(const json& v) {
  if (v.is_number_integer()) return v.get<int64_t>() * 1000;
  if (v.is_string()) return std::strtoll(v.get<std::string>().c_str(), nullptr, 10) * 1000;
  return 0;
}

// masscan 1.0–1.3 end the array with "},\n]" (a trailing comma); accept it.
std::string DropTrailingComma(std::string_view text) {
  std::string s(text);
  size_t close = s.find_last_of(']');
  if (close == std::string::npos) return s;
  size_t before = s.find_last_not_of(" \t\r\n", close == 0 ? 0 : close - 1);
  if (before != std::string::npos && s[before] == ',') s.erase(before, 1);
  return s;
}

Result<ImportResult> ParseJson(Collector& c, std::string_view text) {
  c.result.format = "json";
  json doc;
  try {
    doc = json::parse(DropTrailingComma(text));
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    size_t cut = what.find("parse error");
    return c.Fail("malformed JSON", cut == std::string::npos ? what : what.substr(cut));
  }
  if (!doc.is_array()) return c.Fail("JSON", "expected an array of hosts (masscan -oJ)");
  size_t index = 0;
  for (const auto& entry : doc) {
    std::string where = "entry " + std::to_string(++index);
    if (!entry.is_object() || !entry.contains("ip") || !entry["ip"].is_string()) {
      if (entry.is_object() && entry.contains("finished")) continue;  // old trailer
      return c.Fail(where, "expected {\"ip\": …, \"ports\": […]}");
    }
    CII_ASSIGN_OR_RETURN(std::string address,
                         CanonicalAddress(entry["ip"].get<std::string>(), c.name, where));
    int64_t time = Millis(entry.value("timestamp", json()));
    if (!entry.contains("ports") || !entry["ports"].is_array()) {
      return c.Fail(where, "missing \"ports\" array");
    }
    for (const auto& port : entry["ports"]) {
      if (!port.is_object() || !port.contains("port") || !port["port"].is_number_unsigned() ||
          port["port"].get<uint64_t>() > 65535) {
        return c.Fail(where, "bad port entry " + port.dump());
      }
      auto number = static_cast<uint16_t>(port["port"].get<uint64_t>());
      std::string proto = port.value("proto", std::string("tcp"));
      if (port.contains("service") && port["service"].is_object()) {
        const auto& s = port["service"];
        c.Banner(address, proto, number, s.value("name", std::string()),
                 s.value("banner", std::string()), time);
      } else {
        c.Port(address, proto, number, port.value("status", std::string("open")),
               port.value("reason", std::string()), time);
      }
    }
  }
  FinishPorts(c.result);
  return std::move(c.result);
}

Result<ImportResult> ParseList(Collector& c, std::string_view text) {
  c.result.format = "list";
  std::istringstream in{std::string(text)};
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string kind, proto, port_text, ip, ts;
    fields >> kind >> proto >> port_text >> ip >> ts;
    std::string where = "line " + std::to_string(number);
    char* end = nullptr;
    long port = std::strtol(port_text.c_str(), &end, 10);
    if ((kind != "open" && kind != "closed" && kind != "banner") || ts.empty() ||
        end == port_text.c_str() || *end != '\0' || port < 0 || port > 65535) {
      return c.Fail(where, "expected 'open|closed|banner PROTO PORT ADDRESS TIME …' (masscan -oL)");
    }
    CII_ASSIGN_OR_RETURN(std::string address, CanonicalAddress(ip, c.name, where));
    int64_t time = std::strtoll(ts.c_str(), nullptr, 10) * 1000;
    if (kind == "banner") {
      std::string service, rest;
      fields >> service;
      std::getline(fields, rest);
      if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
      c.Banner(address, proto, static_cast<uint16_t>(port), service, rest, time);
    } else {
      c.Port(address, proto, static_cast<uint16_t>(port), kind, "", time);
    }
  }
  FinishPorts(c.result);
  return std::move(c.result);
}

}  // namespace

Result<ImportResult> ImportMasscan(std::string_view text, const std::string& name) {
  Collector c(name);
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return c.Fail("line 1", "empty file (expected masscan -oJ or -oL output)");
  }
  if (text[first] == '[' || text[first] == '{') return ParseJson(c, text);
  return ParseList(c, text);
}

}  // namespace ciiscope::scanner
