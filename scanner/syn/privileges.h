#pragma once
// Giving up root once the raw socket and the capture handle are open.

#include <sys/types.h>

#include <string>

#include "core/result.h"

namespace ciiscope::scanner::syn {

struct DropTarget {
  uid_t uid;
  gid_t gid;
  std::string who;  // "nobody", "SUDO_USER uid 1000", …
};

// Whom to become: the invoking user of sudo (SUDO_UID/SUDO_GID) when set and
// not root, else nobody:nogroup (65534).
DropTarget ChooseDropTarget();

// When running as root: clears the supplementary groups, sets real,
// effective and saved gid and uid to `target`, clears every capability
// (permitted, effective, inheritable, ambient) and checks that root cannot be
// regained. When not root: clears whatever capabilities the process holds
// (e.g. file capabilities cap_net_raw). Call before starting threads: the
// capability sets are per thread.
Status DropPrivileges(const DropTarget& target);

}  // namespace ciiscope::scanner::syn
