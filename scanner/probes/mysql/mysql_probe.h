#pragma once
// MySQL/MariaDB probe: reads the server greeting (Protocol::HandshakeV10)
// and closes — no login → `probe` evidence {"probe": "mysql-greeting",
// "protocol": 10, "server_version": "5.5.5-10.11.6-MariaDB-0+deb12u1",
// "product": "MariaDB", "version": "10.11.6", "distro": "0+deb12u1", "cpe": …,
// "connection_id": 31, "capabilities": 4160716798, "ssl": true,
// "auth_plugin": "mysql_native_password"}; an error packet instead gives
// {"error_code": 1130, "error": "Host … is not allowed to connect …"}.

#include <cstdint>
#include <memory>
#include <string>

#include "scanner/probes/probe.h"

namespace ciiscope::scanner {

struct MysqlGreeting {
  bool complete = false;     // a whole first packet is there
  bool well_formed = false;  // it is a handshake or an error packet
  int protocol = 0;          // 10 (or 9)
  std::string server_version;
  uint32_t connection_id = 0;
  uint32_t capabilities = 0;  // lower and upper 16 bits joined
  int charset = 0;
  std::string auth_plugin;
  bool is_error = false;
  int error_code = 0;
  std::string error_message;
};

// Pure: interprets the bytes so far (the first packet only).
MysqlGreeting ParseMysqlGreeting(std::string_view bytes);

std::unique_ptr<ServiceProbe> MakeMysqlProbe();

}  // namespace ciiscope::scanner
