#pragma once
// Facts for the HTTP paths the scanner collected for the rules' `collect:`
// blocks (evidence kind http_path): http.paths["/p"] and http.not_found,
// with each path marked soft404 when it looks like the server's answer for
// a path that cannot exist (docs/facts.md).

#include <nlohmann/json.hpp>

#include "rulelang/rule.h"

namespace ciiscope::assessor {

// Accumulates http_path evidence of one service, then writes it to facts.
class CollectedPaths {
 public:
  // `data` is one http_path evidence object; the first per path wins.
  void Add(nlohmann::json data);
  // Writes http.paths / http.not_found (creating `http` if needed); no-op
  // when nothing was added.
  void WriteTo(nlohmann::json& facts) &&;

 private:
  nlohmann::json paths_ = nlohmann::json::object();
  nlohmann::json not_found_;
};

// The collected paths a rule asked for, summarized for a finding's detail:
// {"/.git/HEAD": {url, status, title, content_type, body_bytes}}; null if none.
nlohmann::json CollectedPathsDetail(const rulelang::Rule& rule, const nlohmann::json& facts);

// The named collect requests a rule asked for (collect.<name> facts),
// summarized for a finding's detail: {"redis-info": {top-level scalars, at
// most 32, strings ≤ 256 bytes}}; null if none was collected.
nlohmann::json CollectedRequestsDetail(const rulelang::Rule& rule, const nlohmann::json& facts);

}  // namespace ciiscope::assessor
