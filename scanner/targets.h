#pragma once
// Target specifications as nmap users write them, turned into addresses.
//
// A spec is one of: an address ("10.0.0.5", "::1"), a CIDR block
// ("10.0.0.0/24"), a range ("10.0.0.1-20", "10.0.0.1-10.0.0.9"), a hostname
// (resolved with getaddrinfo; every A and AAAA record becomes a target that
// remembers the name) or "@file" (the specs in a target file). Exclusions use
// the same syntax and are applied after resolution, so excluding an address
// also removes it when it was reached through a hostname.

#include <cstddef>
#include <string>
#include <vector>

#include "core/net.h"
#include "core/result.h"

namespace ciiscope::scanner {

struct Target {
  core::IpAddress address;
  std::string hostname;  // the name it was given by, if any
};

// -iL: one spec per line or whitespace-separated, '#' starts a comment.
// Error: "PATH: cannot read: <reason>".
Result<std::vector<std::string>> ReadTargetFile(const std::string& path);

// Expands and resolves `specs`, removes everything matched by `excludes`,
// de-duplicates (first occurrence wins; a later hostname fills in a missing
// one) and keeps the order of first appearance. Errors are one line naming the
// bad spec and what was expected; a name that does not resolve is an error;
// more than `max_targets` addresses is an error naming the count.
Result<std::vector<Target>> ResolveTargets(const std::vector<std::string>& specs,
                                           const std::vector<std::string>& excludes,
                                           size_t max_targets = 1u << 20);

}  // namespace ciiscope::scanner
