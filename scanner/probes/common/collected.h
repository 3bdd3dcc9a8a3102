#pragma once
// Named collect requests (scanner/collect_plan.h, rulelang::CollectRequests):
// bounded structured values and the `collect` observation a probe records
// for each request. Internal to the scanner library. Hostile answers are
// data: every key, value, list and nesting level is capped here.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "scanner/probes/probe.h"

namespace ciiscope::scanner {

inline constexpr size_t kMaxCollectKeys = 256;        // keys of one object / items of one list
inline constexpr size_t kMaxCollectKeyBytes = 64;     // one key
inline constexpr size_t kMaxCollectValueBytes = 256;  // one string value
inline constexpr int kMaxCollectDepth = 4;            // nesting kept by BoundedJson

// True when the rules asked for the named request on this scan.
bool WantsCollect(const ProbeContext& ctx, std::string_view name);

// A protocol's text value as a fact: an optionally signed decimal integer of
// at most 18 digits becomes a number (so rules can compare it), anything else
// capped evidence text.
nlohmann::json CollectScalar(std::string_view value);

// A copy of `value` within the caps above: strings capped, object keys made
// printable and capped, at most kMaxCollectKeys members/items per level,
// levels past kMaxCollectDepth dropped.
nlohmann::json BoundedJson(const nlohmann::json& value, int depth = 0);

// Records a `collect` observation {"request": name, …fields}; `raw` is what
// was received (capped by the caller).
void RecordCollect(const ProbeContext& ctx, std::string_view name, nlohmann::json fields,
                   std::string raw);

}  // namespace ciiscope::scanner
