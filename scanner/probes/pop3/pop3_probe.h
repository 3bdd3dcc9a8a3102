#pragma once
// POP3 probe: reads the "+OK" greeting, sends CAPA (RFC 2449) and QUIT, no
// login → `probe` evidence {"probe": "pop3-greeting", "ok": true,
// "greeting": "Dovecot (Debian) ready.", "capabilities": ["TOP", "STLS", …],
// "stls": bool}.

#include <memory>
#include <string>
#include <vector>

#include "scanner/probes/probe.h"

namespace ciiscope::scanner {

struct Pop3Reply {
  bool complete = false;
  bool ok = false;                 // "+OK" (false for "-ERR" or anything else)
  bool well_formed = false;        // starts with "+OK" or "-ERR"
  std::string status_text;         // rest of the first line
  std::vector<std::string> lines;  // multi-line body, dot-unstuffed, without the "." end
};

// Pure: interprets the bytes so far. `multiline`: a +OK reply continues
// until a line with a single "." (CAPA); an -ERR reply is always one line.
Pop3Reply ParsePop3Reply(std::string_view bytes, bool multiline);

std::unique_ptr<ServiceProbe> MakePop3Probe();

}  // namespace ciiscope::scanner
