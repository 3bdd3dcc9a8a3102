#pragma once
// NULL probe: connect and listen. Many services speak first (SSH, FTP, SMTP,
// POP3, IMAP, MySQL, Telnet…); what they say is the `banner` evidence.

#include <memory>

#include "scanner/probes/probe.h"

namespace ciiscope::scanner {

// How long the NULL probe waits for a server to speak first.
inline constexpr std::chrono::milliseconds kNullProbeWindow{2000};

std::unique_ptr<ServiceProbe> MakeNullProbe();

// The `banner` evidence for a server that said nothing (bytes 0,
// timed_out true); recorded once no probe recognized the service.
void RecordSilentBanner(const ProbeContext& ctx);

}  // namespace ciiscope::scanner
