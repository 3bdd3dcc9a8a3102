#include "scanner/probes/common/code_reply.h"

namespace ciiscope::scanner {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool HasCode(std::string_view line) {
  return line.size() >= 3 && IsDigit(line[0]) && IsDigit(line[1]) && IsDigit(line[2]);
}

std::string_view StripCr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

std::vector<std::string_view> CompleteLines(std::string_view bytes) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < bytes.size()) {
    size_t eol = bytes.find('\n', start);
    if (eol == std::string_view::npos) break;
    lines.push_back(StripCr(bytes.substr(start, eol - start)));
    start = eol + 1;
  }
  return lines;
}

std::string JoinedText(const CodeReply& reply) {
  std::string out;
  for (const auto& line : reply.lines) {
    if (!out.empty()) out += '\n';
    out += line;
  }
  return out;
}

CodeReply ParseCodeReply(std::string_view bytes) {
  CodeReply reply;
  size_t start = 0;
  bool first = true;
  while (start < bytes.size()) {
    size_t eol = bytes.find('\n', start);
    std::string_view line = StripCr(bytes.substr(start, eol == std::string_view::npos
                                                            ? std::string_view::npos
                                                            : eol - start));
    if (first) {
      if (!HasCode(line)) {
        // Not a reply (or not yet three bytes): stop reading once that is certain.
        reply.complete = line.size() >= 3 || eol != std::string_view::npos;
        return reply;
      }
      reply.well_formed = true;
      reply.code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    }
    if (eol == std::string_view::npos) break;  // wait for the rest of the line
    first = false;
    bool same_code = HasCode(line) && line.substr(0, 3) == bytes.substr(0, 3);
    bool last = same_code && (line.size() == 3 || line[3] == ' ');
    std::string_view text = line;
    if (same_code) text = line.size() > 4 ? line.substr(4) : std::string_view();
    reply.lines.emplace_back(text);
    start = eol + 1;
    if (last) {
      reply.complete = true;
      reply.consumed = start;
      return reply;
    }
  }
  return reply;
}

}  // namespace ciiscope::scanner
