#pragma once
// SSH probe: reads the server's identification string (RFC 4253 §4.2) and
// answers with its own, nothing else → `probe` evidence
// {"probe": "ssh-banner", "proto": "2.0", "software": "OpenSSH_9.2p1",
//  "comment": "Debian-2+deb12u3", "product": "OpenSSH", "version": "9.2p1",
//  "distro": "Debian-2+deb12u3", "cpe": "cpe:2.3:a:openbsd:openssh:9.2p1:…"}.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/probes/probe.h"

namespace ciiscope::scanner {

struct SshBanner {
  bool complete = false;  // an "SSH-" line ended with LF
  std::string proto;      // "2.0" (or "1.99")
  std::string software;   // "OpenSSH_9.2p1"
  std::string comment;    // text after the first space, or ""
  std::vector<std::string> preamble;  // lines the server sent before "SSH-"
};

// Pure: interprets the bytes received so far. At most 16 preamble lines are
// kept; an identification line is capped at 255 bytes by the RFC, so a longer
// one still completes (cut) at its LF.
SshBanner ParseSshBanner(std::string_view bytes);

std::unique_ptr<ServiceProbe> MakeSshProbe();

}  // namespace ciiscope::scanner
