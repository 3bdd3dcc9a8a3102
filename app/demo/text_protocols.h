#pragma once
// The demo's Redis, FTP and Telnet dialogues as pure functions over bytes:
// the servers feed whatever arrived (any TCP segmentation) and send what
// these return.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ciiscope::app::demo {

// ---- Redis (RESP2) ----

enum class RespState { kIncomplete, kCommand, kMalformed };

// Takes one command off the front of `buffer` (inline "PING\r\n" or array
// "*1\r\n$4\r\nPING\r\n"); on kCommand fills `args` and sets `consumed`.
RespState ParseRespCommand(std::string_view buffer, std::vector<std::string>* args,
                           size_t* consumed);

struct RedisReply {
  std::string bytes;
  bool close = false;  // QUIT or protocol error
};

// PING → +PONG, INFO [section] → bulk string, QUIT → +OK and close,
// anything else → -ERR unknown command. Read-only: nothing is stored.
RedisReply RedisAnswer(const std::vector<std::string>& args, uint16_t port);
std::string RedisInfo(std::string_view section, uint16_t port);

// ---- FTP ----

inline constexpr std::string_view kFtpGreeting = "220 (vsFTPd 3.0.3)\r\n";

struct FtpReply {
  std::string bytes;
  bool close = false;
};

// One command line (without CRLF): USER → 331, PASS → 530, QUIT → 221 and
// close, anything else → 530 as vsftpd says before login.
FtpReply FtpAnswer(std::string_view line);

// ---- Telnet ----

// IAC DO TERMINAL-TYPE, DO TERMINAL-SPEED, DO X-DISPLAY, DO NEW-ENVIRON,
// WILL ECHO, WILL SUPPRESS-GO-AHEAD, then the switch's login prompt.
std::string TelnetGreeting();

// Drops IAC negotiation sequences from client bytes; keeps the text.
std::string StripTelnetCommands(std::string_view bytes);

// ---- SSH ----

inline constexpr std::string_view kSshBanner = "SSH-2.0-OpenSSH_7.4\r\n";

// Splits complete lines (LF, optional CR) off the front of `buffer`.
std::vector<std::string> TakeLines(std::string* buffer);

}  // namespace ciiscope::app::demo
