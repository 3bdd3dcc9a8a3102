#include "scanner/probes/http/http_parser.h"

#include <gtest/gtest.h>

#include "core/text.h"

namespace ciiscope::scanner {
namespace {

HttpResponse ParseInPieces(std::string_view bytes, size_t piece, HttpParserLimits limits = {}) {
  HttpResponseParser parser(limits);
  for (size_t i = 0; i < bytes.size(); i += piece) {
    if (!parser.Feed(bytes.substr(i, piece))) break;
  }
  parser.FinishAtEof();
  return parser.response();
}

constexpr std::string_view kSimple =
    "HTTP/1.1 200 OK\r\n"
    "Server: nginx/1.18.0\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "Content-Length: 61\r\n"
    "X-Frame-Options: DENY\r\n"
    "\r\n"
    "<html><head><title>Portal</title></head><body>hi</body></html>";

TEST(HttpParserTest, AnySegmentationGivesTheSameResponse) {
  for (size_t piece : {1, 2, 3, 7, 16, 1000}) {
    HttpResponse r = ParseInPieces(kSimple, piece);
    EXPECT_TRUE(r.error.empty()) << piece << ": " << r.error;
    EXPECT_TRUE(r.complete) << piece;
    EXPECT_EQ(r.version, "HTTP/1.1");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.reason, "OK");
    ASSERT_EQ(r.headers.size(), 4u);
    EXPECT_EQ(r.headers[0].name, "server");
    ASSERT_NE(r.Header("x-frame-options"), nullptr);
    EXPECT_EQ(*r.Header("x-frame-options"), "DENY");
    EXPECT_EQ(r.body.size(), 61u);
    EXPECT_EQ(r.body_bytes, 61u);
    EXPECT_FALSE(r.truncated);
    EXPECT_EQ(ExtractHtmlTitle(r.body), "Portal");
  }
}

TEST(HttpParserTest, ChunkedBodyWithExtensionsAndTrailers) {
  std::string_view bytes =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;ext=1\r\nhello\r\n"
      "7\r\n, world\r\n"
      "0\r\nX-Trailer: yes\r\n\r\n";
  for (size_t piece = 1; piece <= bytes.size(); ++piece) {
    HttpResponse r = ParseInPieces(bytes, piece);
    ASSERT_TRUE(r.error.empty()) << piece << ": " << r.error;
    EXPECT_TRUE(r.chunked);
    EXPECT_TRUE(r.complete) << piece;
    EXPECT_EQ(r.body, "hello, world") << piece;
  }
}

TEST(HttpParserTest, BadChunkSizeIsAnError) {
  HttpResponse r = ParseInPieces("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 4);
  EXPECT_EQ(r.error, "bad chunk size line");
}

TEST(HttpParserTest, OversizedHeaderLineIsCutAndFlagged) {
  HttpParserLimits limits;
  limits.max_line = 64;
  std::string bytes = "HTTP/1.0 200 OK\r\nX-Big: " + std::string(10000, 'a') +
                      "\r\nServer: after\r\nContent-Length: 2\r\n\r\nok";
  for (size_t piece : {1, 5, 100, 100000}) {
    HttpResponse r = ParseInPieces(bytes, piece, limits);
    EXPECT_TRUE(r.error.empty()) << r.error;
    EXPECT_TRUE(r.truncated);
    ASSERT_NE(r.Header("x-big"), nullptr);
    EXPECT_LE(r.Header("x-big")->size(), 64u);
    ASSERT_NE(r.Header("server"), nullptr);
    EXPECT_EQ(*r.Header("server"), "after");
    EXPECT_EQ(r.body, "ok");
  }
}

TEST(HttpParserTest, HeaderCountAndBlockSizeAreCapped) {
  HttpParserLimits limits;
  limits.max_headers = 3;
  std::string bytes = "HTTP/1.1 204 No Content\r\n";
  for (int i = 0; i < 10; ++i) bytes += "H" + std::to_string(i) + ": v\r\n";
  bytes += "\r\n";
  HttpResponse r = ParseInPieces(bytes, 3, limits);
  EXPECT_TRUE(r.complete);
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(r.headers.size(), 3u);

  limits.max_header_bytes = 256;
  std::string flood = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 100; ++i) flood += "X-Flood: 0123456789\r\n";
  HttpResponse f = ParseInPieces(flood, 50, limits);
  EXPECT_NE(f.error.find("header block larger"), std::string::npos) << f.error;
}

TEST(HttpParserTest, BodyCapMarksTruncated) {
  HttpParserLimits limits;
  limits.body_cap = 10;
  std::string bytes = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'x');
  HttpResponseParser parser(limits);
  EXPECT_FALSE(parser.Feed(bytes));  // wants no more once capped
  EXPECT_TRUE(parser.response().truncated);
  EXPECT_EQ(parser.response().body.size(), 10u);
  EXPECT_FALSE(parser.response().complete);
}

TEST(HttpParserTest, BodyDelimitedByCloseAndEarlyClose) {
  HttpResponse to_close = ParseInPieces("HTTP/1.0 200 OK\r\n\r\nuntil close", 4);
  EXPECT_TRUE(to_close.complete);
  EXPECT_EQ(to_close.body, "until close");

  HttpResponse early = ParseInPieces("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort", 4);
  EXPECT_FALSE(early.complete);
  EXPECT_EQ(early.body, "short");
  EXPECT_NE(early.error.find("before the body ended"), std::string::npos);

  HttpResponse nothing = ParseInPieces("", 1);
  EXPECT_EQ(nothing.error, "connection closed without a response");
}

TEST(HttpParserTest, InterimResponseIsSkipped) {
  HttpResponse r = ParseInPieces(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 5);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.reason, "Not Found");
  EXPECT_TRUE(r.complete);
}

TEST(HttpParserTest, NonHttpBytesFailAtOnce) {
  HttpResponseParser ssh;
  EXPECT_FALSE(ssh.Feed("SSH-2.0-OpenSSH_7.4\r\n"));
  EXPECT_EQ(ssh.response().error, "not an HTTP response");
  HttpResponseParser alert;
  EXPECT_FALSE(alert.Feed(std::string("\x15\x03\x01\x00\x02\x02\x46", 7)));
  EXPECT_EQ(alert.response().error, "not an HTTP response");
  HttpResponseParser bad_status;
  bad_status.Feed("HTTP/1.1 2000 Weird\r\n");
  EXPECT_EQ(bad_status.response().error, "malformed status line");
  HttpResponseParser bad_length;
  bad_length.Feed("HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n");
  EXPECT_NE(bad_length.response().error.find("Content-Length"), std::string::npos);
}

TEST(HtmlTitleTest, Extraction) {
  EXPECT_EQ(ExtractHtmlTitle("<html><body>no title here</body></html>"), "");
  EXPECT_EQ(ExtractHtmlTitle("<TITLE lang=\"zh\">\n  统一身份认证 \n</TITLE>"), "统一身份认证");
  EXPECT_EQ(ExtractHtmlTitle("<titles>x</titles><title>Real</title>"), "Real");
  EXPECT_EQ(ExtractHtmlTitle("<title>Tom &amp; Jerry &#39;s &#x4e2d;</title>"), "Tom & Jerry 's 中");
  EXPECT_EQ(ExtractHtmlTitle("<title>unterminated"), "unterminated");
  EXPECT_EQ(ExtractHtmlTitle("<title"), "");
}

TEST(HtmlTitleTest, HostileTitleIsMadeSafe) {
  std::string html = "<title>\x1b[31mred\x1b[0m &#x202E;txt.exe \xff\xfe &#0; &lt;script&gt;" +
                     std::string(5000, 'A') + "</title>";
  std::string title = ExtractHtmlTitle(html, 256);
  EXPECT_TRUE(core::IsValidUtf8(title));
  EXPECT_LE(title.size(), 256u + 3);
  EXPECT_EQ(title.find('\x1b'), std::string::npos);
  EXPECT_EQ(title.find("\xE2\x80\xAE"), std::string::npos);  // U+202E, raw
  EXPECT_NE(title.find("<script>"), std::string::npos);      // text, escaping is the renderer's job
  EXPECT_NE(title.find("red"), std::string::npos);
}

}  // namespace
}  // namespace ciiscope::scanner
