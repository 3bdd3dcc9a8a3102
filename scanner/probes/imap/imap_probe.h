#pragma once
// IMAP probe: reads the "* OK" greeting, sends "a1 CAPABILITY" and
// "a2 LOGOUT" (no login) → `probe` evidence {"probe": "imap-greeting",
// "status": "OK", "greeting": "[CAPABILITY …] Dovecot (Debian) ready.",
// "capabilities": ["IMAP4rev1", "STARTTLS", "LOGINDISABLED", …],
// "starttls": bool}.

#include <memory>
#include <string>
#include <vector>

#include "scanner/probes/probe.h"

namespace ciiscope::scanner {

struct ImapReply {
  bool complete = false;
  std::string status;                     // greeting: "OK", "PREAUTH", "BYE"; tagged: "OK"/"NO"/"BAD"
  std::string text;                       // greeting / tagged line text after the status
  std::vector<std::string> capabilities;  // from "* CAPABILITY …" or "[CAPABILITY …]"
};

// Pure. `tag` empty: the greeting (one untagged "* " line). Otherwise the
// reply ends with the line starting "<tag> ".
ImapReply ParseImapReply(std::string_view bytes, std::string_view tag);

std::unique_ptr<ServiceProbe> MakeImapProbe();

}  // namespace ciiscope::scanner
