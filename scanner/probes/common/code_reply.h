#pragma once
// Parsers over bytes (STYLE.md habit 5) for line-based replies shared by
// several text protocols. Each takes the bytes received so far and says
// whether a whole reply is there; feeding more bytes never changes a
// complete reply, so any TCP segmentation gives the same result.

#include <string>
#include <string_view>
#include <vector>

namespace ciiscope::scanner {

// FTP (RFC 959 §4.2) / SMTP (RFC 5321 §4.2.1) reply: "ddd-text" lines then a
// final "ddd text" line with the same code.
struct CodeReply {
  bool complete = false;           // a whole reply, or a first line that is not one
  bool well_formed = false;        // the first line starts with three digits
  int code = 0;
  std::vector<std::string> lines;  // text after "ddd-" / "ddd ", CR/LF removed
  size_t consumed = 0;             // bytes of the complete reply
};
CodeReply ParseCodeReply(std::string_view bytes);

// The reply's lines joined with "\n".
std::string JoinedText(const CodeReply& reply);

// The lines of `bytes` without CR/LF (a last line without LF is dropped).
std::vector<std::string_view> CompleteLines(std::string_view bytes);

}  // namespace ciiscope::scanner
