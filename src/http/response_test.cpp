#include "http/response.h"

#include <gtest/gtest.h>

namespace postamt::http {
namespace {

// Feeds `text` in pieces of `piece` octets (0: at once), then the end of the
// connection when the response is not complete by then.
Result<ClientResponse> parse(std::string_view text, size_t piece, ResponseLimits limits = {}) {
  ResponseParser parser(limits);
  size_t step = piece == 0 ? text.size() : piece;
  for (size_t at = 0; at < text.size(); at += step) {
    auto done = parser.feed(text.substr(at, step));
    if (!done) return done.error();
    if (*done) return parser.response();
  }
  auto done = parser.finish();
  if (!done) return done.error();
  return parser.response();
}

constexpr size_t kPieces[] = {0, 1, 2, 7};

TEST(ResponseParser, StatusHeadersAndBodyInAnyPieces) {
  constexpr std::string_view kText =
      "HTTP/1.1 201 Created\r\nLocation: /p/1\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello"
      "HTTP/1.1 200 OK\r\n";  // what follows the response is ignored
  for (size_t piece : kPieces) {
    auto r = parse(kText, piece);
    ASSERT_TRUE(r) << piece << ": " << r.error().message;
    EXPECT_EQ(r->status, 201);
    ASSERT_EQ(r->headers.size(), 3u);
    EXPECT_EQ(r->headers[0].name, "Location");
    EXPECT_EQ(r->headers[0].value, "/p/1");
    EXPECT_EQ(r->header("x-a"), std::optional<std::string_view>("b"));
    EXPECT_EQ(r->header("missing"), std::nullopt);
    EXPECT_EQ(r->body, "hello");
  }
}

TEST(ResponseParser, ChunkedCloseDelimitedAndInterim) {
  for (size_t piece : kPieces) {
    auto chunked = parse(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
        piece);
    ASSERT_TRUE(chunked) << chunked.error().message;
    EXPECT_EQ(chunked->body, "abcde");
    auto to_close = parse("HTTP/1.1 410 Gone\r\nConnection: close\r\n\r\nbye", piece);
    ASSERT_TRUE(to_close) << to_close.error().message;
    EXPECT_EQ(to_close->status, 410);
    EXPECT_EQ(to_close->body, "bye");
    auto interim = parse(
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n"
        "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 30\r\nContent-Length: 0\r\n\r\n",
        piece);
    ASSERT_TRUE(interim) << interim.error().message;
    EXPECT_EQ(interim->status, 429);
    EXPECT_EQ(interim->header("Retry-After"), std::optional<std::string_view>("30"));
    auto no_content = parse("HTTP/1.1 204 No Content\r\n\r\n", piece);
    ASSERT_TRUE(no_content);
    EXPECT_EQ(no_content->status, 204);
    EXPECT_EQ(no_content->body, "");
  }
}

TEST(ResponseParser, Malformed) {
  const std::string_view bad[] = {
      "garbage\r\n\r\n",
      "HTTP/1.1 abc OK\r\n\r\n",
      "HTTP/1.1 20 OK\r\n\r\n",
      "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "ICY 200 OK\r\n\r\n",
      "HTTP/1.1 001 Low\r\n\r\nbody",
      "HTTP/1.1 600 High\r\nContent-Length: 0\r\n\r\n",
  };
  for (std::string_view text : bad)
    for (size_t piece : kPieces) {
      auto r = parse(text, piece);
      ASSERT_FALSE(r) << text;
      EXPECT_EQ(r.error().kind, ErrorKind::invalid) << text;
      EXPECT_TRUE(r.error().message.starts_with("malformed response: ") ||
                  r.error().message == "the response ended early")
          << text << ": " << r.error().message;
    }
}

TEST(ResponseParser, EndedEarly) {
  const std::string_view partial[] = {
      "",
      "HTTP/1.1 200",
      "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n",
      "HTTP/1.1 100 Continue\r\n\r\n",
  };
  for (std::string_view text : partial)
    for (size_t piece : kPieces) {
      auto r = parse(text, piece);
      ASSERT_FALSE(r) << text;
      EXPECT_EQ(r.error().kind, ErrorKind::invalid);
      EXPECT_EQ(r.error().message, "the response ended early") << text;
    }
}

TEST(ResponseParser, Limits) {
  ResponseLimits limits;
  limits.max_header_bytes = 64;
  limits.max_body_bytes = 8;
  const std::string big_head = "HTTP/1.1 200 OK\r\nX: " + std::string(100, 'a') + "\r\n\r\n";
  const std::string endless_head = "HTTP/1.1 200 OK\r\nX: " + std::string(1000, 'a');
  for (size_t piece : kPieces) {
    for (const std::string& text : {big_head, endless_head}) {
      auto r = parse(text, piece, limits);
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error().kind, ErrorKind::limit);
      EXPECT_EQ(r.error().message, "the response head is too large");
    }
    for (std::string_view text : {
             "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n123456789",
             "HTTP/1.1 200 OK\r\nTransfer-Encoding: "
             "chunked\r\n\r\n5\r\n12345\r\n5\r\n12345\r\n0\r\n\r\n",
             "HTTP/1.1 200 OK\r\n\r\n123456789",
         }) {
      auto r = parse(text, piece, limits);
      ASSERT_FALSE(r) << text;
      EXPECT_EQ(r.error().kind, ErrorKind::limit);
      EXPECT_EQ(r.error().message, "the response body is too large");
    }
    auto at_limit = parse("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n12345678", piece, limits);
    ASSERT_TRUE(at_limit) << at_limit.error().message;
    EXPECT_EQ(at_limit->body, "12345678");
  }
}

TEST(ResponseParser, AnErrorStays) {
  ResponseParser parser;
  EXPECT_FALSE(parser.feed("bogus\r\n\r\n"));
  auto again = parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  ASSERT_FALSE(again);
  EXPECT_FALSE(parser.finish());
}

}  // namespace
}  // namespace postamt::http
