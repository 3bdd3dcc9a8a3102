// Golden tests of the UDP probes (issue 4 item 7): every datagram recorded
// under tests/fixtures/udp/ (real daemons: net-snmp, ntpsec, unbound; and
// hostile variants) goes through every UDP probe and the shipped fingerprint
// rules; the identification JSON must equal tests/golden/udp/<name>.json.
// UPDATE=1 rewrites the golden files instead (review the diff before
// committing). A fixture is named <family>-<port>-<what>.hex (hex text,
// whitespace ignored); the port is the one the service was seen on.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "golden_file.h"
#include "rulelang/rule.h"
#include "scanner/probes/udp_probe.h"

namespace ciiscope::scanner {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kFixtures = fs::path(CIISCOPE_SOURCE_DIR) / "tests/fixtures/udp";
const fs::path kGolden = fs::path(CIISCOPE_SOURCE_DIR) / "tests/golden/udp";

std::string FromHex(const std::string& text) {
  std::string out, digits;
  for (char c : text) {
    if (std::isxdigit(static_cast<unsigned char>(c))) digits.push_back(c);
  }
  EXPECT_EQ(digits.size() % 2, 0u);
  for (size_t i = 0; i + 1 < digits.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  }
  return out;
}

// The identification of one datagram: what each probe found and the service
// the fingerprint rules name from it.
json Identify(const std::string& name, const std::string& datagram, const rulelang::RuleSet& rules) {
  const uint16_t port = static_cast<uint16_t>(std::stoi(name.substr(name.find('-') + 1)));
  UdpProbeRegistry probes;
  RegisterBuiltinUdpProbes(probes);
  json facts = {{"service",
                 {{"transport", "udp"}, {"port", port}, {"state", "open"}, {"name", ""},
                  {"product", ""}, {"version", ""}, {"cpe", ""}}}};
  json findings = json::object();
  for (const UdpProbe* p : probes.All()) {
    if (auto f = p->Interpret(datagram)) {
      f->data["probe"] = f->probe;
      facts["probe"][f->probe] = f->data;
      findings[f->probe] = f->data;
    }
  }
  for (const auto& rule : rules.rules) {
    if (rule.kind == rulelang::RuleKind::kFingerprint) rulelang::ApplyFingerprint(rule, facts);
  }
  json service = facts["service"];
  return {{"fixture", name}, {"bytes", datagram.size()}, {"findings", findings},
          {"service", {{"name", service["name"]}, {"product", service["product"]},
                       {"version", service["version"]}}}};
}

TEST(UdpGoldenTest, RecordedDatagramsIdentifyAsTheGoldenFilesSay) {
  rulelang::RuleSet rules = rulelang::LoadRuleDir(std::string(CIISCOPE_SOURCE_DIR) + "/rules");
  ASSERT_TRUE(rules.errors.empty()) << rules.errors.front().message();
  std::vector<fs::path> fixtures;
  for (const auto& e : fs::directory_iterator(kFixtures)) {
    if (e.path().extension() == ".hex") fixtures.push_back(e.path());
  }
  std::sort(fixtures.begin(), fixtures.end());
  ASSERT_GE(fixtures.size(), 9u);
  if (UpdateGolden()) fs::create_directories(kGolden);
  for (const auto& path : fixtures) {
    const std::string name = path.stem().string();
    const std::string got = Identify(name, FromHex(ReadFile(path)), rules).dump(2) + "\n";
    ExpectGolden(kGolden / (name + ".json"), name, got);
  }
}

}  // namespace
}  // namespace ciiscope::scanner
