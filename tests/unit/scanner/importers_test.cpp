// nmap XML and masscan JSON/list importers over hand-made fixtures
// (tests/fixtures/imports/), and their one-line errors.
#include "scanner/importers/import.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace ciiscope::scanner {
namespace {

using nlohmann::json;

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(CIISCOPE_SOURCE_DIR) + "/tests/fixtures/imports/" + name,
                   std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<inventory::Observation> OfKind(const ImportResult& r, const std::string& kind) {
  std::vector<inventory::Observation> out;
  for (const auto& o : r.observations) {
    if (o.kind == kind) out.push_back(o);
  }
  return out;
}

std::set<std::string> OpenPorts(const ImportResult& r) {
  std::set<std::string> out;
  for (const auto& o : OfKind(r, "port_state")) {
    EXPECT_EQ(o.state, "open");
    out.insert(o.address + ":" + std::to_string(o.port));
  }
  return out;
}

void ExpectOneLineError(const Result<ImportResult>& r, const std::string& file,
                        const std::string& needle) {
  ASSERT_FALSE(r);
  const std::string& m = r.error().message();
  EXPECT_EQ(r.error().code(), ErrorCode::kParse);
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  EXPECT_EQ(m.rfind(file + ": ", 0), 0u) << m;
  EXPECT_NE(m.find(needle), std::string::npos) << m;
}

TEST(NmapXmlImportTest, PortsServicesAndScripts) {
  auto r = ImportNmapXml(Fixture("nmap_sv.xml"), "nmap_sv.xml");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->tool, "nmap");
  EXPECT_EQ(r->started_at, 1764380000000);
  EXPECT_EQ(r->finished_at, 1764380012000);
  EXPECT_NE(r->args.find("nmap -sV"), std::string::npos);
  EXPECT_EQ(r->hosts, 3u);
  EXPECT_EQ(r->open, 5u);
  EXPECT_EQ(r->closed, 1u);
  EXPECT_EQ(r->filtered, 1u);
  EXPECT_EQ(r->ports, (std::vector<uint16_t>{22, 80, 443, 3306}));
  EXPECT_EQ(OpenPorts(*r), (std::set<std::string>{"192.0.2.10:22", "192.0.2.10:80",
                                                   "192.0.2.10:443", "192.0.2.11:3306",
                                                   "2001:db8::5:443"}));
  EXPECT_EQ(OfKind(*r, "host_up").size(), 3u);

  std::map<std::string, json> services;
  for (const auto& o : OfKind(*r, "nmap_service")) {
    EXPECT_EQ(o.transport, "tcp");
    services[o.address + ":" + std::to_string(o.port)] = json::parse(o.data_json);
  }
  ASSERT_EQ(services.size(), 4u);  // the IPv6 port has no <service>
  const json& ssh = services["192.0.2.10:22"];
  EXPECT_EQ(ssh["name"], "ssh");
  EXPECT_EQ(ssh["product"], "OpenSSH");
  EXPECT_EQ(ssh["version"], "7.4");
  EXPECT_EQ(ssh["conf"], 10);
  EXPECT_EQ(ssh["cpe"], json({"cpe:/a:openbsd:openssh:7.4"}));
  EXPECT_EQ(services["192.0.2.10:443"]["tunnel"], "ssl");
  EXPECT_EQ(services["192.0.2.11:3306"]["version"], "5.5.62");

  auto scripts = OfKind(*r, "probe");
  ASSERT_EQ(scripts.size(), 1u);
  json script = json::parse(scripts[0].data_json);
  EXPECT_EQ(script["probe"], "nmap-script:http-title");
  EXPECT_EQ(script["text"], "统一身份认证 & login");
  for (const auto& o : OfKind(*r, "port_state")) {
    if (o.address == "192.0.2.10") {
      EXPECT_EQ(o.hostname, "portal.example.edu");
    }
    EXPECT_GT(o.time, 0);
  }
}

TEST(NmapXmlImportTest, MalformedXmlNamesFileAndLine) {
  ExpectOneLineError(ImportNmapXml(Fixture("malformed.xml"), "malformed.xml"), "malformed.xml",
                     "line 5");
  ExpectOneLineError(ImportNmapXml("", "empty.xml"), "empty.xml", "malformed XML");
  ExpectOneLineError(ImportNmapXml(Fixture("not_nmap.xml"), "not_nmap.xml"), "not_nmap.xml",
                     "not an nmap XML file");
}

TEST(NmapXmlImportTest, EntitiesAreRefusedAndNeverLoaded) {
  auto r = ImportNmapXml(Fixture("entity.xml"), "entity.xml");
  ExpectOneLineError(r, "entity.xml", "entity declarations are not allowed");
  // Internal entity expansion ("billion laughs") is refused the same way.
  std::string laughs =
      "<?xml version=\"1.0\"?><!DOCTYPE n [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b "
      "\"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><nmaprun args=\"&b;\"></nmaprun>";
  ExpectOneLineError(ImportNmapXml(laughs, "laughs.xml"), "laughs.xml", "entity");
}

TEST(NmapXmlImportTest, BadAddressAndPortAreNamed) {
  ExpectOneLineError(
      ImportNmapXml("<nmaprun><host><address addr=\"300.1.1.1\" addrtype=\"ipv4\"/></host></nmaprun>",
                    "a.xml"),
      "a.xml", "300.1.1.1");
  ExpectOneLineError(
      ImportNmapXml("<nmaprun><host><ports><port protocol=\"tcp\" portid=\"70000\"/></ports></host></nmaprun>",
                    "p.xml"),
      "p.xml", "70000");
}

TEST(MasscanImportTest, JsonWithTrailingCommaDuplicatesAndBanner) {
  auto r = ImportMasscan(Fixture("masscan.json"), "masscan.json");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->tool, "masscan");
  EXPECT_EQ(r->format, "json");
  EXPECT_EQ(r->open, 2u);
  EXPECT_EQ(OpenPorts(*r), (std::set<std::string>{"192.0.2.20:6379", "192.0.2.21:22"}));
  EXPECT_EQ(OfKind(*r, "host_up").size(), 2u);
  auto banners = OfKind(*r, "banner");
  ASSERT_EQ(banners.size(), 1u);
  EXPECT_EQ(json::parse(banners[0].data_json)["text"], "SSH-2.0-OpenSSH_7.4");
  EXPECT_EQ(banners[0].raw, "SSH-2.0-OpenSSH_7.4");
  EXPECT_EQ(r->ports, (std::vector<uint16_t>{22, 6379}));
}

TEST(MasscanImportTest, ListGivesTheSameAsJson) {
  auto list = ImportMasscan(Fixture("masscan.list"), "masscan.list");
  auto js = ImportMasscan(Fixture("masscan.json"), "masscan.json");
  ASSERT_TRUE(list) << list.error().message();
  ASSERT_TRUE(js);
  EXPECT_EQ(list->format, "list");
  EXPECT_EQ(OpenPorts(*list), OpenPorts(*js));
  EXPECT_EQ(list->observations.size(), js->observations.size());
  auto banners = OfKind(*list, "banner");
  ASSERT_EQ(banners.size(), 1u);
  EXPECT_EQ(json::parse(banners[0].data_json)["service"], "ssh");
}

TEST(MasscanImportTest, MalformedInputNamesFileAndPlace) {
  ExpectOneLineError(ImportMasscan(Fixture("malformed.json"), "malformed.json"), "malformed.json",
                     "malformed JSON");
  ExpectOneLineError(ImportMasscan("", "e.json"), "e.json", "empty file");
  ExpectOneLineError(ImportMasscan("{\"ip\": 1}", "o.json"), "o.json", "array");
  ExpectOneLineError(ImportMasscan("[{\"ip\":\"192.0.2.1\",\"ports\":[{\"port\":99999}]}]", "p.json"),
                     "p.json", "entry 1");
  ExpectOneLineError(ImportMasscan("#masscan\nopen tcp 80 192.0.2.1 1\nopen tcp x 192.0.2.1 1\n",
                                   "l.list"),
                     "l.list", "line 3");
  ExpectOneLineError(ImportMasscan("open tcp 80 192.0.2.300 1\n", "a.list"), "a.list",
                     "192.0.2.300");
}

TEST(ImporterRegistryTest, Names) {
  EXPECT_NE(FindImporter("nmap-xml"), nullptr);
  EXPECT_NE(FindImporter("masscan"), nullptr);
  EXPECT_EQ(FindImporter("zmap"), nullptr);
  EXPECT_EQ(ImporterNames().size(), 2u);
}

}  // namespace
}  // namespace ciiscope::scanner
