#pragma once
// Evaluation profiles (rules/profiles/*.yaml): a standard's test items, each
// mapped to the rules whose findings evidence a failure, and to the kind of
// evidence without which it cannot be judged remotely. Format in
// docs/profiles.md. Loaded with the same limits and file:line:col errors as
// rules.

#include <string>
#include <vector>

#include "core/result.h"
#include "rulelang/rule.h"

namespace ciiscope::rulelang {

// What an asset must have shown in the scan for an item to be assessable.
enum class ProfileEvidence { kService, kTls, kHttp, kUnit };

struct ProfileItem {
  std::string id;      // the standard's test item id, e.g. "L3-CES1-18"
  std::string clause;  // e.g. "8.1.4.4 入侵防范"
  Text title;
  std::vector<std::string> rules;       // rule ids that evidence it
  std::vector<std::string> references;  // tokens: a rule citing one evidences it
  std::vector<std::string> tags;        // a rule carrying one of these tags evidences it
  ProfileEvidence needs = ProfileEvidence::kService;
  SourcePos pos;
};

struct Profile {
  std::string id;  // "mlps3"
  Text title;
  std::string standard;  // "GB/T 28448-2019"
  int level = 0;
  std::vector<ProfileItem> items;
  SourcePos source;
};

Result<Profile> LoadProfileFile(const std::string& path);
Result<Profile> ParseProfile(std::string_view yaml, const std::string& path);
// Finds a profile by file path, or by id / file stem among dir/*.yaml.
Result<Profile> FindProfile(const std::string& dir, const std::string& name);

// Whether `rule` evidences `item`: its id is listed, one of its references
// contains a listed token as a whole word ("GB/T 28448-2019 L3-CES1-18"
// contains "L3-CES1-18", not "L3-CES1-1"), or it has a listed tag.
bool ItemCovers(const ProfileItem& item, const Rule& rule);

std::string_view ProfileEvidenceName(ProfileEvidence e);  // service|tls|http|unit

}  // namespace ciiscope::rulelang
