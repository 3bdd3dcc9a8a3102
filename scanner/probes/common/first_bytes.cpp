#include "scanner/probes/common/first_bytes.h"

namespace ciiscope::scanner {

bool LooksLikeMysqlGreeting(std::string_view b) {
  if (b.size() < 5) return false;
  auto byte = [&](size_t i) { return static_cast<unsigned char>(b[i]); };
  uint32_t length = byte(0) | (byte(1) << 8) | (byte(2) << 16);
  if (length < 5 || length > 1024 || byte(3) != 0) return false;
  return byte(4) == 0x0a || byte(4) == 0x09 || byte(4) == 0xff;
}

std::vector<std::string_view> ProbesForFirstBytes(std::string_view b) {
  if (b.starts_with("SSH-")) return {"ssh"};
  if (b.starts_with("220 ") || b.starts_with("220-")) return {"ftp", "smtp"};
  if (b.starts_with("+OK")) return {"pop3"};
  if (b.starts_with("* OK") || b.starts_with("* PREAUTH")) return {"imap"};
  if (LooksLikeMysqlGreeting(b)) return {"mysql"};
  if (!b.empty() && static_cast<unsigned char>(b[0]) == 0xff) return {"telnet"};
  return {};
}

}  // namespace ciiscope::scanner
