#pragma once
// Scan flags shared by `scan`, `audit` and `demo run` (nmap's habits).

#include <string>

#include "app/pipeline.h"

namespace CLI {
class App;
}

namespace ciiscope::app {

struct ScanFlags {
  ScanRequest request;
  std::string input_list;    // -iL FILE
  std::string exclude_file;  // --excludefile FILE
  bool no_probes = false;
  bool no_collect = false;
  std::string seed;          // --seed S (decimal)
};

void AddScanFlags(CLI::App* cmd, ScanFlags& flags);
// Folds -iL / --excludefile into the request; errors name the file.
Status FinalizeScanFlags(ScanFlags& flags);

}  // namespace ciiscope::app
