#pragma once
// What a scan covered (targets, exclusions, ports, completeness), read from
// its row in the store (targets, ports, shard, status, options_json) and its
// checkpoint. The diff uses it so that an asset or service outside the later
// scan's coverage is reported as "not covered", not as gone.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/net.h"
#include "core/ports.h"
#include "inventory/model/model.h"

namespace ciiscope::reports {

class ScanCoverage {
 public:
  // Target specs: options_json "targets" (as given) when recorded, else the
  // scan's space-separated targets. Addresses, CIDRs and ranges are
  // matched by address, host names by the asset's names; "import:…",
  // "interface:…", "@file" and anything else make the coverage unknown.
  // Complete: status done (or the checkpoint counted every probe) and not
  // one shard of several.
  static ScanCoverage Of(const inventory::Scan& scan,
                         const std::optional<inventory::ScanCheckpoint>& checkpoint);

  enum class Verdict { kCovered, kOutsideTargets, kExcluded, kPortNotScanned, kIncomplete, kUnknown };
  // Whether the scan looked at this address (any of its host names) and,
  // when port != 0, at this transport/port. kCovered only when a missing
  // observation proves absence.
  Verdict Check(std::string_view address, const std::vector<std::string>& hostnames,
                std::string_view transport = "", uint16_t port = 0) const;

  bool known() const { return known_; }
  bool complete() const { return complete_; }
  const std::vector<std::string>& specs() const { return specs_; }
  const std::vector<std::string>& excludes() const { return excludes_; }
  const core::PortList& ports() const { return ports_; }
  // "complete", "shard 2/4", "interrupted 120/400", "unknown …" (English
  // codes; the builder localizes).
  const std::string& completeness() const { return completeness_; }
  // Target specs of this scan that `other` does not cover entirely.
  std::vector<std::string> SpecsNotIn(const ScanCoverage& other) const;
  // Ports of this scan that `other` did not scan.
  core::PortList PortsNotIn(const ScanCoverage& other) const;

 private:
  struct Block {  // an inclusive address range of one family
    core::IpAddress first, last;
  };
  struct Spec {
    std::string text;
    std::vector<Block> blocks;  // empty for a host name
    std::string hostname;       // lower case
  };
  static bool InBlocks(const std::vector<Spec>& specs, const core::IpAddress& a);
  static bool NamedIn(const std::vector<Spec>& specs, const std::vector<std::string>& names);
  bool CoversSpec(const Spec& s) const;

  std::vector<std::string> specs_, excludes_;
  std::vector<Spec> targets_, excluded_;
  core::PortList ports_;
  bool known_ = false;
  bool complete_ = false;
  std::string completeness_;
};

}  // namespace ciiscope::reports
