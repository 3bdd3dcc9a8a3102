#pragma once
// The units ledger (DESIGN.md "Data model"): ministry → province → city /
// county → school → department, each with the ranges and domains it
// registered. Plain struct; inventory/store persists it (units, unit_scopes).

#include <cstdint>
#include <string>
#include <vector>

namespace ciiscope::inventory {

struct Unit {
  int64_t id = 0;                    // rowid; 0 = not stored yet
  std::string code;                  // the unit's own identifier (the units file's `id`)
  std::string parent_code;           // "" = top of the hierarchy
  int64_t parent_id = 0;
  std::string name;
  std::string level;                 // ministry | province | city | county | school | department
  std::string owner;                 // 责任人
  std::string contact;
  std::vector<std::string> cidrs;    // canonical CIDR text
  std::vector<std::string> domains;  // lower-case DNS names ("demo-univ.edu.cn")
  // Most connections/s an active scan sends into the unit's CIDRs (the
  // units file's `rate`); 0 = no limit of its own. See app/pipeline.cpp.
  double rate = 0;
};

}  // namespace ciiscope::inventory
