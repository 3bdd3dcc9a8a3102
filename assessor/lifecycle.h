#pragma once
// Operator changes to a finding's status (DESIGN.md "Assessor"): which
// manual action is allowed from which status. Pure; the CLI applies the
// result through Store::SetFindingStatus so every change is an event.
//
//   ack             open | reopened                          → acknowledged
//   fix             open | acknowledged | reopened           → fixed (unit says)
//   accept          open | acknowledged | reopened           → accepted (needs an expiry)
//   false-positive  open | acknowledged | reopened | accepted → false_positive
//   reopen          fixed | verified | closed | accepted | false_positive → reopened
//   assign          any status but closed                    → (unchanged)

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace ciiscope::assessor {

// The operator actions, as spelled on the command line.
const std::vector<std::string_view>& LifecycleActions();

// The status `action` leads to from `current` ("" for assign, which keeps
// it). kInvalidArgument with one line naming the current status when the
// move is not allowed, e.g. "finding 7 is fixed; ack needs open or reopened".
Result<std::string> NextStatus(std::string_view action, std::string_view current,
                               int64_t finding_id);

}  // namespace ciiscope::assessor
