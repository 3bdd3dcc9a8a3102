#include "tcp_transcript.h"

#include <cstdio>
#include <sstream>

namespace ciiscope::scanner::testing {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// One event per line, split after each LF so long replies stay readable.
void WriteEvent(std::ostringstream& out, char tag, const std::string& bytes) {
  size_t start = 0;
  while (start < bytes.size()) {
    size_t lf = bytes.find('\n', start);
    size_t end = lf == std::string::npos ? bytes.size() : lf + 1;
    end = std::min(end, start + 96);
    out << tag << " \"" << EscapeBytes(std::string_view(bytes).substr(start, end - start)) << "\"\n";
    start = end;
  }
}

}  // namespace

std::string EscapeBytes(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    switch (c) {
      case '\r': out += "\\r"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out.push_back(static_cast<char>(c));
        } else {
          char hex[8];
          std::snprintf(hex, sizeof hex, "\\x%02x", c);
          out += hex;
        }
    }
  }
  return out;
}

bool UnescapeBytes(std::string_view text, std::string* out, std::string* error) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out->push_back(text[i]);
      continue;
    }
    if (++i >= text.size()) return *error = "dangling backslash", false;
    switch (text[i]) {
      case 'r': out->push_back('\r'); break;
      case 'n': out->push_back('\n'); break;
      case 't': out->push_back('\t'); break;
      case '\\': out->push_back('\\'); break;
      case '"': out->push_back('"'); break;
      case 'x': {
        if (i + 2 >= text.size() || HexDigit(text[i + 1]) < 0 || HexDigit(text[i + 2]) < 0) {
          return *error = "expected two hex digits after \\x", false;
        }
        out->push_back(static_cast<char>(HexDigit(text[i + 1]) * 16 + HexDigit(text[i + 2])));
        i += 2;
        break;
      }
      default: return *error = std::string("unknown escape \\") + text[i], false;
    }
  }
  return true;
}

std::string WriteTranscript(const Transcript& t) {
  std::ostringstream out;
  for (const auto& [key, value] : t.header) out << "# " << key << ": " << value << "\n";
  for (const auto& conn : t.connections) {
    out << "conn\n";
    for (const auto& e : conn) {
      switch (e.kind) {
        case TranscriptEvent::kServer: WriteEvent(out, 's', e.bytes); break;
        case TranscriptEvent::kClient: WriteEvent(out, 'c', e.bytes); break;
        case TranscriptEvent::kClientClose: out << "c-close\n"; break;
        case TranscriptEvent::kServerClose: out << "s-close\n"; break;
      }
    }
  }
  return out.str();
}

bool ParseTranscript(std::string_view text, Transcript* t, std::string* error) {
  std::istringstream in{std::string(text)};
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    auto fail = [&](const std::string& what) {
      *error = "line " + std::to_string(n) + ": " + what;
      return false;
    };
    if (line.empty()) continue;
    if (line[0] == '#') {
      size_t colon = line.find(": ");
      if (colon != std::string::npos && colon > 2) t->header[line.substr(2, colon - 2)] = line.substr(colon + 2);
      continue;
    }
    if (line == "conn") {
      t->connections.emplace_back();
      continue;
    }
    if (t->connections.empty()) return fail("expected 'conn' before events");
    auto& conn = t->connections.back();
    if (line == "c-close" || line == "s-close") {
      conn.push_back({line[0] == 'c' ? TranscriptEvent::kClientClose : TranscriptEvent::kServerClose, ""});
      continue;
    }
    if (line.size() < 4 || (line[0] != 's' && line[0] != 'c') || line[1] != ' ' || line[2] != '"' ||
        line.back() != '"') {
      return fail("expected conn, s \"…\", c \"…\", c-close or s-close");
    }
    std::string bytes, why;
    if (!UnescapeBytes(std::string_view(line).substr(3, line.size() - 4), &bytes, &why)) return fail(why);
    auto kind = line[0] == 's' ? TranscriptEvent::kServer : TranscriptEvent::kClient;
    if (!conn.empty() && conn.back().kind == kind) {
      conn.back().bytes += bytes;  // lines of one reply
    } else {
      conn.push_back({kind, std::move(bytes)});
    }
  }
  return true;
}

}  // namespace ciiscope::scanner::testing
