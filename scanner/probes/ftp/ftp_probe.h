#pragma once
// FTP probe: reads the 220 greeting, then sends FEAT and SYST (read-only,
// no login) and QUIT → `probe` evidence {"probe": "ftp-greeting", "code": 220,
// "greeting": "…", "features": ["UTF8", "AUTH TLS", …], "auth_tls": bool,
// "syst": "UNIX Type: L8"}. A greeting that names SMTP is left to the smtp
// probe (nothing is sent, nothing recorded, not recognized).

#include <memory>
#include <string>
#include <vector>

#include "scanner/probes/common/code_reply.h"
#include "scanner/probes/probe.h"

namespace ciiscope::scanner {

// FEAT reply lines (RFC 2389) → feature names, trimmed; the first and last
// ("Features:", "End") are not features.
std::vector<std::string> FtpFeatures(const CodeReply& feat);

std::unique_ptr<ServiceProbe> MakeFtpProbe();

}  // namespace ciiscope::scanner
