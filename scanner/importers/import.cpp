#include "scanner/importers/import.h"

#include <algorithm>

#include "core/net.h"

namespace ciiscope::scanner {

ImportFn FindImporter(std::string_view format) {
  if (format == "nmap-xml") return &ImportNmapXml;
  if (format == "masscan") return &ImportMasscan;
  return nullptr;
}

std::vector<std::string> ImporterNames() { return {"nmap-xml", "masscan"}; }

Result<std::string> CanonicalAddress(std::string_view text, const std::string& name,
                                     std::string_view where) {
  auto addr = core::IpAddress::Parse(text);
  if (!addr) {
    return Error(ErrorCode::kParse, name + ": " + std::string(where) + ": bad address '" +
                                        std::string(text) + "'");
  }
  return addr->ToString();
}

void FinishPorts(ImportResult& result) {
  std::sort(result.ports.begin(), result.ports.end());
  result.ports.erase(std::unique(result.ports.begin(), result.ports.end()), result.ports.end());
}

}  // namespace ciiscope::scanner
