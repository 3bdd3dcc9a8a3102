#pragma once
// Telnet probe: listens, refuses every option the server asks for, and
// keeps the text it sends (the login banner and prompt) → `probe` evidence
// {"probe": "telnet-banner", "text": "Debian GNU/Linux 12\r\nlogin: ",
// "negotiation": ["DO 24", "WILL 1", …], "truncated": …, "timed_out": …}.
// It never sends a user name or password.

#include <memory>

#include "scanner/probes/probe.h"

namespace ciiscope::scanner {

std::unique_ptr<ServiceProbe> MakeTelnetProbe();

}  // namespace ciiscope::scanner
