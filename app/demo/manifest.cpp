// DemoManifest <-> JSON, and the default state directory.

#include <unistd.h>

#include <set>

#include "app/demo/demo_network.h"

namespace ciiscope::app::demo {

std::string DefaultStateDir() { return "/tmp/ciiscope-demo-" + std::to_string(::getuid()); }

nlohmann::json DemoManifest::ToJson() const {
  nlohmann::json json;
  json["base"] = base;
  json["pid"] = pid;
  json["services"] = nlohmann::json::array();
  for (const DemoService& s : services) {
    json["services"].push_back({{"address", s.address},
                                {"hostname", s.hostname},
                                {"port", s.port},
                                {"kind", s.kind},
                                {"description", s.description}});
  }
  json["closed"] = nlohmann::json::array();
  for (const DemoClosed& c : closed) {
    json["closed"].push_back({{"address", c.address}, {"port", c.port}});
  }
  json["expected_findings"] = expected_findings;
  return json;
}

namespace {

Error ManifestError(const std::string& what) {
  return Error(ErrorCode::kParse, "demo manifest: " + what);
}

}  // namespace

Result<DemoManifest> DemoManifest::FromJson(const nlohmann::json& json) {
  if (!json.is_object()) return ManifestError("expected a JSON object");
  // nlohmann throws type_error on mismatched types; keep errors as values here.
  try {
    DemoManifest m;
    m.base = json.at("base").get<std::string>();
    m.pid = json.at("pid").get<int>();
    for (const auto& s : json.at("services")) {
      DemoService service;
      service.address = s.at("address").get<std::string>();
      service.hostname = s.value("hostname", "");
      service.port = s.at("port").get<uint16_t>();
      service.kind = s.at("kind").get<std::string>();
      service.description = s.value("description", "");
      m.services.push_back(std::move(service));
    }
    if (json.contains("closed")) {
      for (const auto& c : json.at("closed")) {
        m.closed.push_back({c.at("address").get<std::string>(), c.at("port").get<uint16_t>()});
      }
    }
    if (json.contains("expected_findings")) {
      m.expected_findings = json.at("expected_findings").get<std::vector<std::string>>();
    }
    return m;
  } catch (const nlohmann::json::exception& e) {
    return ManifestError(e.what());
  }
}

std::vector<std::string> DemoManifest::Addresses() const {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const DemoService& s : services) {
    if (seen.insert(s.address).second) out.push_back(s.address);
  }
  return out;
}

}  // namespace ciiscope::app::demo
