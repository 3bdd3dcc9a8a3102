#pragma once
// SMTP probe: reads the 220 greeting, sends EHLO and QUIT (no mail, no
// AUTH) → `probe` evidence {"probe": "smtp-ehlo", "code": 220, "greeting":
// "mail.demo-univ.edu.cn ESMTP Postfix (Debian/GNU)", "ehlo_code": 250,
// "capabilities": ["PIPELINING", "SIZE 10240000", "STARTTLS", …],
// "starttls": bool, "auth": ["PLAIN", "LOGIN"]}.

#include <memory>
#include <string>
#include <vector>

#include "scanner/probes/common/code_reply.h"
#include "scanner/probes/probe.h"

namespace ciiscope::scanner {

// The EHLO reply's keyword lines (all but the first, which greets), trimmed.
std::vector<std::string> SmtpCapabilities(const CodeReply& ehlo);

std::unique_ptr<ServiceProbe> MakeSmtpProbe();

}  // namespace ciiscope::scanner
