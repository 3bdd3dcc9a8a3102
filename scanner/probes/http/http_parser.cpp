#include "scanner/probes/http/http_parser.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "core/text.h"

namespace ciiscope::scanner {
namespace {

constexpr std::string_view kHttpPrefix = "HTTP/";

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

const std::string* HttpResponse::Header(std::string_view lower_name) const {
  for (const auto& h : headers) {
    if (h.name == lower_name) return &h.value;
  }
  return nullptr;
}

HttpResponseParser::HttpResponseParser(HttpParserLimits limits) : limits_(limits) {}

bool HttpResponseParser::Feed(std::span<const std::byte> data) {
  return Feed(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
}

bool HttpResponseParser::Feed(std::string_view data) {
  size_t i = 0;
  while (i < data.size() && state_ != State::kDone) {
    std::string_view rest = data.substr(i);
    switch (state_) {
      case State::kBodyLength:
      case State::kChunkData: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, rest.size()));
        AppendBody(rest.substr(0, n));
        remaining_ -= n;
        i += n;
        if (remaining_ == 0 && state_ == State::kBodyLength) {
          response_.complete = true;
          state_ = State::kDone;
        } else if (remaining_ == 0 && state_ == State::kChunkData) {
          state_ = State::kChunkEnd;
        }
        break;
      }
      case State::kBodyToClose:
        AppendBody(rest);
        i = data.size();
        break;
      default: {
        bool have_line = false;
        size_t n = ConsumeLine(rest, &have_line);
        i += n;
        if (state_ == State::kStatusLine || state_ == State::kHeaders) {
          header_bytes_ += n;
          if (header_bytes_ > limits_.max_header_bytes) {
            Fail("header block larger than " + std::to_string(limits_.max_header_bytes) + " bytes");
            break;
          }
        }
        if (state_ == State::kStatusLine) {
          size_t k = std::min(line_.size(), kHttpPrefix.size());
          if (line_.compare(0, k, kHttpPrefix.substr(0, k)) != 0) {
            Fail("not an HTTP response");
            break;
          }
        }
        if (!have_line) break;
        std::string line = std::move(line_);
        bool overlong = skipping_line_;
        line_.clear();
        skipping_line_ = false;
        if (overlong && state_ != State::kHeaders) {
          Fail("line longer than " + std::to_string(limits_.max_line) + " bytes");
          break;
        }
        if (overlong) response_.truncated = true;
        switch (state_) {
          case State::kStatusLine: OnStatusLine(line); break;
          case State::kHeaders: OnHeaderLine(line); break;
          case State::kChunkSize: OnChunkSizeLine(line); break;
          case State::kChunkEnd: state_ = State::kChunkSize; break;
          case State::kTrailers:
            if (line.empty()) {
              response_.complete = true;
              state_ = State::kDone;
            }
            break;
          default: break;
        }
      }
    }
  }
  return state_ != State::kDone;
}

size_t HttpResponseParser::ConsumeLine(std::string_view data, bool* have_line) {
  size_t nl = data.find('\n');
  std::string_view piece = nl == std::string_view::npos ? data : data.substr(0, nl);
  if (!skipping_line_) {
    size_t room = limits_.max_line > line_.size() ? limits_.max_line - line_.size() : 0;
    if (piece.size() > room) {
      line_.append(piece.substr(0, room));
      skipping_line_ = true;
    } else {
      line_.append(piece);
    }
  }
  if (nl == std::string_view::npos) return data.size();
  *have_line = true;
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  return nl + 1;
}

void HttpResponseParser::OnStatusLine(std::string_view line) {
  // "HTTP/1.1 200 OK" (the reason may be empty or absent).
  size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return Fail("malformed status line");
  std::string_view code = line.substr(sp1 + 1, 3);
  if (code.size() != 3 || !IsDigits(code) ||
      (line.size() > sp1 + 4 && line[sp1 + 4] != ' ')) {
    return Fail("malformed status line");
  }
  response_.version = std::string(line.substr(0, sp1));
  response_.status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
  response_.reason = line.size() > sp1 + 4 ? std::string(core::TrimSpace(line.substr(sp1 + 5))) : "";
  state_ = State::kHeaders;
}

void HttpResponseParser::OnHeaderLine(std::string_view line) {
  if (line.empty()) return OnHeadersEnd();
  if ((line.front() == ' ' || line.front() == '\t') && !response_.headers.empty()) {
    // Obsolete line folding continues the previous value.
    response_.headers.back().value += " " + std::string(core::TrimSpace(line));
    return;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return;  // tolerated, like browsers do
  if (response_.headers.size() >= limits_.max_headers) {
    response_.truncated = true;
    return;
  }
  response_.headers.push_back(HttpHeader{core::ToLower(core::TrimSpace(line.substr(0, colon))),
                                         std::string(core::TrimSpace(line.substr(colon + 1)))});
}

void HttpResponseParser::OnHeadersEnd() {
  int status = response_.status;
  if (status >= 100 && status < 200 && status != 101) {
    // An interim response (100 Continue): the real one follows.
    response_.headers.clear();
    response_.status = 0;
    state_ = State::kStatusLine;
    return;
  }
  response_.headers_complete = true;
  if (status == 101 || status == 204 || status == 304) {
    response_.complete = true;
    state_ = State::kDone;
    return;
  }
  if (const auto* te = response_.Header("transfer-encoding");
      te != nullptr && core::ToLower(*te).find("chunked") != std::string::npos) {
    response_.chunked = true;
    state_ = State::kChunkSize;
    return;
  }
  if (const auto* cl = response_.Header("content-length")) {
    std::string_view v = core::TrimSpace(std::string_view(*cl).substr(0, cl->find(',')));
    uint64_t length = 0;
    auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), length);
    if (!IsDigits(v) || ec != std::errc() || ptr != v.data() + v.size()) {
      return Fail("bad Content-Length '" + core::TruncateUtf8(*cl, 40) + "'");
    }
    remaining_ = length;
    if (length == 0) {
      response_.complete = true;
      state_ = State::kDone;
    } else {
      state_ = State::kBodyLength;
    }
    return;
  }
  state_ = State::kBodyToClose;
}

void HttpResponseParser::OnChunkSizeLine(std::string_view line) {
  std::string_view size_text = core::TrimSpace(line.substr(0, line.find(';')));
  uint64_t size = 0;
  auto [ptr, ec] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
  if (size_text.empty() || size_text.size() > 16 || ec != std::errc() ||
      ptr != size_text.data() + size_text.size()) {
    return Fail("bad chunk size line");
  }
  if (size == 0) {
    state_ = State::kTrailers;
  } else {
    remaining_ = size;
    state_ = State::kChunkData;
  }
}

void HttpResponseParser::AppendBody(std::string_view data) {
  response_.body_bytes += data.size();
  size_t room = limits_.body_cap - std::min(limits_.body_cap, response_.body.size());
  if (data.size() <= room) {
    response_.body.append(data);
    return;
  }
  response_.body.append(data.substr(0, room));
  response_.truncated = true;
  state_ = State::kDone;
}

void HttpResponseParser::FinishAtEof() {
  switch (state_) {
    case State::kDone:
      return;
    case State::kBodyToClose:
      response_.complete = true;
      state_ = State::kDone;
      return;
    case State::kStatusLine:
      return Fail(header_bytes_ == 0 ? "connection closed without a response"
                                     : "connection closed inside the status line");
    case State::kHeaders:
      return Fail("connection closed before the headers ended");
    default:
      return Fail("connection closed before the body ended");
  }
}

void HttpResponseParser::Fail(std::string message) {
  response_.error = std::move(message);
  state_ = State::kDone;
}

}  // namespace ciiscope::scanner
