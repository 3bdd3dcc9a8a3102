#pragma once
// Importers turn the output files of other scanners into observations
// (inventory/model/observation.h), as if ciiscope had made them. Pure:
// they parse bytes handed to them; app/ reads the file and stores the result.
//
//   nmap-xml  `nmap -oX` (with -sV: `nmap_service` evidence per port, and
//             `probe` evidence per NSE script output)
//   masscan   `masscan -oJ` (JSON) and `-oL` (list), told apart by content
//
// Evidence kinds added by importers:
//   nmap_service {"name": "ssh", "product": "OpenSSH", "version": "8.4p1",
//                 "extrainfo": "...", "tunnel": "ssl"?, "method": "probed",
//                 "conf": 10, "cpe": ["cpe:/a:openbsd:openssh:8.4p1"]}
//   port_state   as the connect engine writes it, "reason" from the file.
// Only open ports become port_state evidence; closed and filtered ones are
// counted in ImportResult.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "inventory/model/observation.h"

namespace ciiscope::scanner {

struct ImportResult {
  std::string tool;        // "nmap" | "masscan"
  std::string format;      // "xml" | "json" | "list"
  std::string args;        // the command line recorded in the file, if any
  int64_t started_at = 0;  // Unix ms; 0 when the file does not say
  int64_t finished_at = 0;
  std::vector<inventory::Observation> observations;
  uint64_t hosts = 0, open = 0, closed = 0, filtered = 0;
  std::vector<uint16_t> ports;  // every port the file mentions, sorted, unique
};

// Errors (kParse) are one line starting with `name` (the file name),
// naming the line (and column for XML) and what was wrong.
Result<ImportResult> ImportNmapXml(std::string_view xml, const std::string& name);
Result<ImportResult> ImportMasscan(std::string_view text, const std::string& name);

// Importer registry: "nmap-xml", "masscan".
using ImportFn = Result<ImportResult> (*)(std::string_view, const std::string&);
ImportFn FindImporter(std::string_view format);
std::vector<std::string> ImporterNames();

// Shared by the importers: canonical address or error naming the file.
Result<std::string> CanonicalAddress(std::string_view text, const std::string& name,
                                     std::string_view where);
void FinishPorts(ImportResult& result);

}  // namespace ciiscope::scanner
