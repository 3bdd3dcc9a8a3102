#include "scanner/syn/privileges.h"

#include <grp.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>

namespace ciiscope::scanner::syn {
namespace {

constexpr uid_t kNobody = 65534;

bool EnvId(const char* name, uint32_t* out) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return false;
  const char* end = v + std::strlen(v);
  auto [p, ec] = std::from_chars(v, end, *out);
  return ec == std::errc() && p == end;
}

Status Fail(const char* what) {
  return Error(ErrorCode::kPermission, std::string("dropping privileges: ") + what + ": " +
                                           std::strerror(errno));
}

Status ClearCapabilities() {
  cap_t none = cap_init();
  if (none == nullptr) return Fail("cap_init");
  int rc = cap_set_proc(none);
  cap_free(none);
  if (rc != 0) return Fail("cap_set_proc");
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  return Ok();
}

}  // namespace

DropTarget ChooseDropTarget() {
  uint32_t uid = 0, gid = 0;
  if (EnvId("SUDO_UID", &uid) && EnvId("SUDO_GID", &gid) && uid != 0) {
    return {static_cast<uid_t>(uid), static_cast<gid_t>(gid), "sudo user uid " + std::to_string(uid)};
  }
  return {kNobody, static_cast<gid_t>(kNobody), "nobody"};
}

Status DropPrivileges(const DropTarget& target) {
  if (geteuid() == 0) {
    if (setgroups(0, nullptr) != 0) return Fail("setgroups");
    if (setresgid(target.gid, target.gid, target.gid) != 0) return Fail("setresgid");
    if (setresuid(target.uid, target.uid, target.uid) != 0) return Fail("setresuid");
  }
  CII_RETURN_IF_ERROR(ClearCapabilities());
  if (target.uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
    return Error(ErrorCode::kPermission, "dropping privileges: root could be regained");
  }
  return Ok();
}

}  // namespace ciiscope::scanner::syn
