#pragma once
// Choosing a probe from what a server said first, so a service on an unusual
// port is still identified (issue 4): "SSH-" → ssh, "220" → ftp then smtp,
// "+OK" → pop3, "* OK" → imap, a MySQL handshake or error packet → mysql.
// TLS records are handled by ProbeService itself (LooksLikeTls).

#include <cstdint>
#include <string_view>
#include <vector>

namespace ciiscope::scanner {

// Probe names to try, in order, for the first (up to 16) bytes of a banner.
std::vector<std::string_view> ProbesForFirstBytes(std::string_view first_bytes);

// True for the start of a MySQL/MariaDB server greeting (protocol 9 or 10)
// or an early error packet: 3-byte length, sequence 0, then 0x0a/0x09/0xff.
bool LooksLikeMysqlGreeting(std::string_view first_bytes);

}  // namespace ciiscope::scanner
