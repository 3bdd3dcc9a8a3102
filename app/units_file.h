#pragma once
// Units ledger files (`ciiscope units import FILE`): CSV with a header row,
// or YAML (a list of units, or a mapping with a `units:` list). Columns /
// keys: id, parent, name, level, owner, contact, cidrs, domains, rate. In
// CSV, cidrs and domains hold several values separated by ';' or spaces; in
// YAML they may be a list or such a string. `rate` is the most connections/s
// an active scan may send into the unit's CIDRs (a decimal number, 0 or
// empty = no limit of its own; see app/pipeline.cpp for how it combines with
// --rate and --unit-rate).
//
// Every problem is Error(kParse) with one line "FILE:LINE: what". Checks:
// id and name present, ids unique, level one of ministry|province|city|
// county|school|department, CIDRs parse, domains are DNS names, rate is a
// number from 0 to 10000000, a parent
// is in the file or in `known` (codes already in the ledger), and parents in
// the file form no cycle.

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "inventory/model/unit.h"

namespace ciiscope::app {

// The file's bytes, capped at 16 MiB (an error beyond).
Result<std::string> ReadUnitsFile(const std::string& path);
// Chooses the format by the extension of `path`.
Result<std::vector<inventory::Unit>> ParseUnitsFile(std::string_view text, const std::string& path,
                                                    const std::set<std::string>& known = {});
// Chooses the format by extension (.csv; .yaml/.yml) and reads the file.
Result<std::vector<inventory::Unit>> LoadUnitsFile(const std::string& path,
                                                   const std::set<std::string>& known = {});
Result<std::vector<inventory::Unit>> ParseUnitsCsv(std::string_view text, const std::string& path,
                                                   const std::set<std::string>& known = {});
Result<std::vector<inventory::Unit>> ParseUnitsYaml(std::string_view text, const std::string& path,
                                                    const std::set<std::string>& known = {});

}  // namespace ciiscope::app
