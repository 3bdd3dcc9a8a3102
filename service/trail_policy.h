#pragma once
// Which commands the audit trail records, and how a command line becomes a
// row: the command path ("findings ack"), a digest of the argument vector,
// and an outcome text. Pure functions; app/audit_trail.cpp applies them
// around every subcommand run.

#include <string>
#include <string_view>
#include <vector>

namespace ciiscope::service {

// True unless the command only reads (listings, show, status, verify, lint,
// checks, reports without a signature). Unknown commands count as
// state-changing, so a new command is recorded until someone says otherwise.
bool IsStateChanging(const std::vector<std::string>& command_path, bool report_signed);

// "findings ack" from {"findings", "ack"}.
std::string JoinCommand(const std::vector<std::string>& command_path);

// SHA-256 (hex) of the arguments, each followed by a NUL byte, so
// {"a b"} and {"a", "b"} differ.
std::string ArgsDigest(const std::vector<std::string>& args);

// "ok", "exit N" for a non-zero exit without an error (e.g. --fail-on), or
// "error: <message>" cut to 200 bytes on a UTF-8 boundary.
std::string Outcome(bool ok, int exit_code, std::string_view error_message);

}  // namespace ciiscope::service
