// `nmap -oX` → observations, with expat (no DTD processing: entity
// declarations are refused, external entities are never loaded).
#include <expat.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/text.h"
#include "scanner/importers/import.h"

namespace ciiscope::scanner {
namespace {

using nlohmann::json;

struct PortEntry {
  std::string transport;
  uint16_t port = 0;
  std::string state, reason;
  std::optional<json> service;
  std::vector<std::string> cpes;
  std::vector<std::pair<std::string, std::string>> scripts;  // id, output
};

struct HostEntry {
  std::string address, hostname;
  bool up = false;
  int64_t time = 0;
  std::vector<PortEntry> ports;
};

struct Parser {
  XML_Parser xml = nullptr;
  const std::string& name;
  ImportResult result;
  std::optional<Error> error;
  std::vector<std::string> stack;
  std::optional<HostEntry> host;
  std::optional<PortEntry> port;
  std::string text;  // character data of <cpe>

  explicit Parser(const std::string& n) : name(n) {}

  std::string Where() const {
    return "line " + std::to_string(XML_GetCurrentLineNumber(xml)) + ", column " +
           std::to_string(XML_GetCurrentColumnNumber(xml) + 1);
  }
  void Fail(std::string message) {
    if (!error) error = Error(ErrorCode::kParse, name + ": " + Where() + ": " + message);
    XML_StopParser(xml, XML_FALSE);
  }
};

std::string Attr(const XML_Char** attrs, const char* key) {
  for (int i = 0; attrs[i] != nullptr; i += 2) {
    if (std::strcmp(attrs[i], key) == 0) return core::SanitizeUtf8(attrs[i + 1]);
  }
  return "";
}

int64_t Seconds(const std::string& text) {
  return text.empty() ? 0 : std::strtoll(text.c_str(), nullptr, 10) * 1000;
}

void OnStart(void* data, const XML_Char* element, const XML_Char** attrs) {
  auto& p = *static_cast<Parser*>(data);
  if (p.error) return;
  std::string el = element;
  if (p.stack.empty() && el != "nmaprun") {
    p.Fail("not an nmap XML file (root element <" + el + ">, expected <nmaprun>)");
    return;
  }
  p.stack.push_back(el);
  if (el == "nmaprun") {
    p.result.args = Attr(attrs, "args");
    p.result.started_at = Seconds(Attr(attrs, "start"));
  } else if (el == "finished") {
    p.result.finished_at = Seconds(Attr(attrs, "time"));
  } else if (el == "host") {
    p.host.emplace();
    p.host->time = Seconds(Attr(attrs, "starttime"));
  } else if (!p.host) {
    return;
  } else if (el == "status") {
    p.host->up = Attr(attrs, "state") == "up";
  } else if (el == "address") {
    std::string type = Attr(attrs, "addrtype");
    if (type != "ipv4" && type != "ipv6") return;
    auto addr = CanonicalAddress(Attr(attrs, "addr"), p.name, p.Where());
    if (!addr) {
      p.error = std::move(addr).error();
      XML_StopParser(p.xml, XML_FALSE);
      return;
    }
    p.host->address = *addr;
  } else if (el == "hostname") {
    if (p.host->hostname.empty() || Attr(attrs, "type") == "user") {
      p.host->hostname = Attr(attrs, "name");
    }
  } else if (el == "port") {
    p.port.emplace();
    p.port->transport = Attr(attrs, "protocol");
    long number = std::strtol(Attr(attrs, "portid").c_str(), nullptr, 10);
    if (number < 1 || number > 65535) {
      p.Fail("bad portid '" + Attr(attrs, "portid") + "'");
      return;
    }
    p.port->port = static_cast<uint16_t>(number);
  } else if (!p.port) {
    return;
  } else if (el == "state") {
    p.port->state = Attr(attrs, "state");
    p.port->reason = Attr(attrs, "reason");
  } else if (el == "service") {
    json s = {{"name", Attr(attrs, "name")},       {"product", Attr(attrs, "product")},
              {"version", Attr(attrs, "version")}, {"extrainfo", Attr(attrs, "extrainfo")},
              {"method", Attr(attrs, "method")}};
    if (std::string conf = Attr(attrs, "conf"); !conf.empty()) s["conf"] = std::atoi(conf.c_str());
    if (std::string tunnel = Attr(attrs, "tunnel"); !tunnel.empty()) s["tunnel"] = tunnel;
    p.port->service = std::move(s);
  } else if (el == "cpe") {
    p.text.clear();
  } else if (el == "script") {
    p.port->scripts.emplace_back(Attr(attrs, "id"), Attr(attrs, "output"));
  }
}

void EmitHost(Parser& p, const HostEntry& h) {
  if (h.address.empty()) return;  // a MAC-only host
  ++p.result.hosts;
  int64_t time = h.time != 0 ? h.time : p.result.started_at;
  auto make = [&](uint16_t port, const std::string& transport, const char* kind) {
    inventory::Observation obs;
    obs.address = h.address;
    obs.hostname = h.hostname;
    obs.port = port;
    obs.transport = port == 0 ? "" : transport;
    obs.kind = kind;
    obs.time = time;
    return obs;
  };
  if (h.up) {
    auto obs = make(0, "", "host_up");
    obs.data_json = json({{"reason", "nmap"}}).dump();
    p.result.observations.push_back(std::move(obs));
  }
  for (const auto& port : h.ports) {
    p.result.ports.push_back(port.port);
    if (port.state != "open") {
      (port.state == "closed" ? p.result.closed : p.result.filtered)++;
      continue;
    }
    ++p.result.open;
    auto state = make(port.port, port.transport, "port_state");
    state.state = "open";
    state.data_json = json({{"state", "open"}, {"reason", port.reason}, {"source", "nmap"}}).dump();
    p.result.observations.push_back(std::move(state));
    if (port.service) {
      json s = *port.service;
      s["cpe"] = port.cpes;
      auto obs = make(port.port, port.transport, "nmap_service");
      obs.data_json = s.dump();
      p.result.observations.push_back(std::move(obs));
    }
    for (const auto& [id, output] : port.scripts) {
      auto obs = make(port.port, port.transport, "probe");
      obs.data_json = json({{"probe", "nmap-script:" + id}, {"text", output}}).dump();
      p.result.observations.push_back(std::move(obs));
    }
  }
}

void OnEnd(void* data, const XML_Char* element) {
  auto& p = *static_cast<Parser*>(data);
  if (p.error) return;
  std::string el = element;
  if (!p.stack.empty()) p.stack.pop_back();
  if (el == "cpe" && p.port) {
    p.port->cpes.push_back(core::SanitizeUtf8(p.text));
  } else if (el == "port" && p.port && p.host) {
    p.host->ports.push_back(std::move(*p.port));
    p.port.reset();
  } else if (el == "host" && p.host) {
    EmitHost(p, *p.host);
    p.host.reset();
  }
}

void OnText(void* data, const XML_Char* s, int len) {
  auto& p = *static_cast<Parser*>(data);
  if (!p.stack.empty() && p.stack.back() == "cpe") p.text.append(s, static_cast<size_t>(len));
}

void OnEntityDecl(void* data, const XML_Char*, int, const XML_Char*, int, const XML_Char*,
                  const XML_Char*, const XML_Char*, const XML_Char*) {
  static_cast<Parser*>(data)->Fail("entity declarations are not allowed in an nmap XML file");
}

}  // namespace

Result<ImportResult> ImportNmapXml(std::string_view xml, const std::string& name) {
  Parser p(name);
  p.result.tool = "nmap";
  p.result.format = "xml";
  p.xml = XML_ParserCreate(nullptr);
  if (p.xml == nullptr) return Error(ErrorCode::kInternal, name + ": cannot create XML parser");
  XML_SetUserData(p.xml, &p);
  XML_SetParamEntityParsing(p.xml, XML_PARAM_ENTITY_PARSING_NEVER);
  XML_SetEntityDeclHandler(p.xml, OnEntityDecl);
  XML_SetElementHandler(p.xml, OnStart, OnEnd);
  XML_SetCharacterDataHandler(p.xml, OnText);
  constexpr size_t kChunk = 1 << 20;
  size_t offset = 0;
  bool ok = true;
  do {
    size_t n = std::min(kChunk, xml.size() - offset);
    bool last = offset + n == xml.size();
    if (XML_Parse(p.xml, xml.data() + offset, static_cast<int>(n), last ? XML_TRUE : XML_FALSE) ==
        XML_STATUS_ERROR) {
      ok = false;
      break;
    }
    offset += n;
  } while (offset < xml.size());
  if (!ok && !p.error) {
    p.error = Error(ErrorCode::kParse, name + ": malformed XML at " + p.Where() + ": " +
                                           XML_ErrorString(XML_GetErrorCode(p.xml)));
  }
  XML_ParserFree(p.xml);
  if (p.error) return *p.error;
  FinishPorts(p.result);
  return std::move(p.result);
}

}  // namespace ciiscope::scanner
