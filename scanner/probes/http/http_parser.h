#pragma once
// HTTP/1.x response parsing over bytes (STYLE.md habit 5): feed whatever the
// socket returned, in any segmentation; no I/O here. Bounded: line length,
// header count, header block size and body size are capped, and going over a
// cap marks the response truncated instead of failing it.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ciiscope::scanner {

struct HttpHeader {
  std::string name;  // lower-case
  std::string value;  // trimmed, raw bytes as sent
};

struct HttpResponse {
  std::string version;  // "HTTP/1.1"
  int status = 0;
  std::string reason;
  std::vector<HttpHeader> headers;  // in order received, duplicates kept
  std::string body;                 // decoded (de-chunked), at most body_cap bytes
  uint64_t body_bytes = 0;          // decoded body bytes received (may exceed body.size())
  bool chunked = false;
  bool headers_complete = false;
  bool complete = false;   // the whole message arrived
  bool truncated = false;  // body over the cap, or an overlong header line or too many headers
  std::string error;       // set when the bytes are not a well-formed response

  // Value of the first header with this (lower-case) name, or nullptr.
  const std::string* Header(std::string_view lower_name) const;
};

struct HttpParserLimits {
  size_t max_line = 8 * 1024;           // longer header lines are cut and flagged
  size_t max_headers = 100;             // more are dropped and flagged
  size_t max_header_bytes = 64 * 1024;  // a longer header block is an error
  size_t body_cap = 64 * 1024;
};

class HttpResponseParser {
 public:
  explicit HttpResponseParser(HttpParserLimits limits = {});

  // Consumes the next bytes. Returns true while more input is wanted; false
  // once the response is complete, malformed or the body cap is reached.
  bool Feed(std::span<const std::byte> data);
  bool Feed(std::string_view data);
  // The peer closed: completes a body delimited by the connection close,
  // otherwise records that the message ended early.
  void FinishAtEof();

  bool done() const { return state_ == State::kDone; }
  const HttpResponse& response() const { return response_; }

 private:
  enum class State { kStatusLine, kHeaders, kBodyLength, kBodyToClose, kChunkSize, kChunkData,
                     kChunkEnd, kTrailers, kDone };

  size_t ConsumeLine(std::string_view data, bool* have_line);
  void OnStatusLine(std::string_view line);
  void OnHeaderLine(std::string_view line);
  void OnHeadersEnd();
  void OnChunkSizeLine(std::string_view line);
  void AppendBody(std::string_view data);
  void Fail(std::string message);

  HttpParserLimits limits_;
  HttpResponse response_;
  State state_ = State::kStatusLine;
  std::string line_;
  bool skipping_line_ = false;  // dropping the rest of an overlong line
  size_t header_bytes_ = 0;
  uint64_t remaining_ = 0;  // of Content-Length or of the current chunk
};

// The text of the first <title> element: entities decoded, whitespace
// collapsed, valid UTF-8, control and bidi characters made visible, at most
// max_bytes. Empty when there is none.
std::string ExtractHtmlTitle(std::string_view html, size_t max_bytes = 1024);

}  // namespace ciiscope::scanner
