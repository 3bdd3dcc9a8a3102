#pragma once
// TCP fixtures for the golden test (tests/fixtures/tcp/README.md): what a
// real daemon and ciiscope's probes said to each other, per connection, as
// readable text. Test-only.
//
//   # port: 22                       header lines ("# key: value")
//   # address: 127.77.1.12
//   conn                             a connection (in the order the probes opened them)
//   s "SSH-2.0-OpenSSH_9.2p1\r\n"    bytes the server sent (C escapes: \r \n \t \\ \" \xHH)
//   c "SSH-2.0-ciiscope\r\n"         bytes the client sent
//   c-close / s-close                who closed first

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ciiscope::scanner::testing {

struct TranscriptEvent {
  enum Kind { kServer, kClient, kClientClose, kServerClose } kind = kServer;
  std::string bytes;
};

struct Transcript {
  std::map<std::string, std::string> header;
  std::vector<std::vector<TranscriptEvent>> connections;
};

std::string EscapeBytes(std::string_view bytes);
// False (with *error) on a malformed escape.
bool UnescapeBytes(std::string_view text, std::string* out, std::string* error);

std::string WriteTranscript(const Transcript& t);
// Returns false with "line N: what" in *error on bad input.
bool ParseTranscript(std::string_view text, Transcript* t, std::string* error);

}  // namespace ciiscope::scanner::testing
