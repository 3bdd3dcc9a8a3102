#pragma once
// `ciiscope scan --pcap FILE...`: the passive engine over capture files.
// Reads files only; sends nothing.

#include <string>
#include <vector>

#include "app/context.h"
#include "app/pipeline.h"
#include "core/result.h"

namespace ciiscope::app {

// Records a scan with engine "passive", feeds every file through the
// passive analyzer into the store and finishes the scan with its statistics
// (packets, bytes, decode errors, flows, evictions, …). Damaged or unreadable
// files give one stderr line each; the scan fails only when no file could be
// read. `request` supplies the profile; targets must be empty.
Result<ScanSummary> RunPassiveScan(Context& ctx, inventory::Store& store,
                                   const std::vector<std::string>& files,
                                   const ScanRequest& request);

}  // namespace ciiscope::app
