#pragma once
// PostgreSQL probe (no credentials, nothing written): an SSLRequest, whose
// one-byte answer says whether TLS is offered ('S'/'N'), then — on a plain
// connection — a StartupMessage for user "ciiscope", whose answer is an
// authentication request (the method) or an ErrorResponse whose fields
// (severity, SQLSTATE, message, source file, routine) name PostgreSQL.
// → `probe` evidence {"probe": "postgres-startup", "ssl": "S",
// "auth": "sasl", "auth_code": 10} or {…, "error": {"severity": "FATAL",
// "code": "28000", "message": "no pg_hba.conf entry …", "file": "auth.c",
// "routine": "ClientAuthentication"}}.

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "scanner/probes/probe.h"

namespace ciiscope::scanner {

struct PgMessage {
  bool complete = false;
  bool well_formed = false;
  char type = 0;           // 'R' authentication, 'E' error, 'N' notice
  int32_t auth_code = -1;  // for 'R': 0 ok, 3 cleartext, 5 md5, 10 SASL, …
  std::map<char, std::string> fields;  // for 'E'/'N': field type → value
};

// Pure: the first backend message in the bytes so far (at most 16 KiB long).
PgMessage ParsePgMessage(std::string_view bytes);

// The SSLRequest and a StartupMessage (protocol 3.0) for user/database.
std::string PgSslRequest();
std::string PgStartupMessage(std::string_view user, std::string_view database);

// "md5", "sasl", "cleartext", "ok", … for an authentication request code.
std::string_view PgAuthName(int32_t code);

std::unique_ptr<ServiceProbe> MakePostgresProbe();

}  // namespace ciiscope::scanner
