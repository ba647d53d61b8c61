// Transcript tests for the HTTP/1.1 session: the client's bytes go in (whole, in pieces,
// pipelined), the session's bytes come out exactly. Each test names the rule it checks.
#include "http/server.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <array>
#include <deque>
#include <stdexcept>

#include "net/testing/forwarding_connection.h"
#include "net/testing/memory_connection.h"
#include "net/testing/run.h"

namespace postamt::http {
namespace {

using namespace std::chrono_literals;
using net::testing::MemoryConnection;
using net::testing::MemoryConnectionOptions;
using net::testing::WhenInputEmpty;

constexpr std::string_view kDate = "Date: Sun, 06 Dec 2026 21:22:43 GMT\r\n";
constexpr std::string_view kSecurity =
    "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nReferrer-Policy: "
    "no-referrer\r\n";

// Yields its pieces, then nullopt; optionally asks the connection to shut down after
// `shutdown_after` pieces.
class ScriptedStream final : public BodyStream {
 public:
  std::deque<std::optional<std::string>> pieces;
  MemoryConnection* shutdown_conn = nullptr;
  size_t shutdown_after = 0;
  size_t given = 0;
  net::awaitable<std::optional<std::string>> next(net::Duration max_wait) override {
    if (shutdown_conn && given == shutdown_after) shutdown_conn->request_shutdown();
    ++given;
    if (pieces.empty()) co_return "ping\n";  // endless unless shutdown stops it
    auto piece = std::move(pieces.front());
    pieces.pop_front();
    co_return piece;
  }
};

class FakeHandler final : public Handler {
 public:
  size_t limit = 64;
  std::vector<Request> seen;
  std::vector<Peer> peers;
  // Answers a request; default: 200 text/plain "<METHOD> <target> [<body>]".
  std::function<Response(const Request&)> respond;

  size_t body_limit(const Request& head) const override {
    EXPECT_TRUE(head.body.empty());
    return limit;
  }
  net::awaitable<Response> handle(Request request, Peer peer) override {
    seen.push_back(request);
    peers.push_back(peer);
    if (respond) co_return respond(seen.back());
    Response r;
    r.with("Content-Type", "text/plain");
    r.body = request.method + " " + request.target + " [" + request.body + "]";
    co_return r;
  }
};

std::string expected(std::string_view status_line, std::string_view fields, std::string_view body,
                     std::string_view connection = "") {
  return fmt::format("HTTP/1.1 {}\r\n{}{}{}Content-Length: {}\r\n{}\r\n{}", status_line, kDate,
                     fields, kSecurity, body.size(), connection, body);
}

std::string ok(std::string_view body, std::string_view connection = "") {
  return expected("200 OK", "Content-Type: text/plain\r\n", body, connection);
}

std::string problem(int status, std::string_view title, std::string_view detail) {
  std::string body = fmt::format(
      R"({{"type":"about:blank","status":{},"title":"{}","detail":"{}"}})", status, title, detail);
  return expected(fmt::format("{} {}", status, title), "Content-Type: application/problem+json\r\n",
                  body, "Connection: close\r\n");
}

// The 500 the session answers for a failed handler.
std::string internal_error(std::string_view connection = "") {
  std::string body = R"({"type":"about:blank","status":500,"title":"Internal Server Error",)"
                     R"("detail":"the server could not handle the request"})";
  return expected("500 Internal Server Error", "Content-Type: application/problem+json\r\n", body,
                  connection);
}

class HttpSession : public ::testing::Test {
 protected:
  HttpSession() {
    services_.handler = &handler_;
    services_.wall_clock = [] {
      return std::chrono::system_clock::time_point(std::chrono::seconds(1796592163));
    };
  }

  std::string run(MemoryConnection& conn, net::Admission admission = net::Admission::accepted) {
    net::SessionContext context{"http", admission};
    net::testing::run_to_completion(io_, run_session(conn, context, &services_));
    EXPECT_TRUE(conn.closed());
    return conn.written();
  }
  // Feeds `input` in pieces of `piece` bytes (0: one chunk), then EOF.
  std::string run(std::string_view input, size_t piece = 0) {
    MemoryConnection conn;
    conn.feed_script(input, piece);
    return run(conn);
  }

  boost::asio::io_context io_;
  FakeHandler handler_;
  Services services_;
};

// RFC 9112 §2.1, §3, §6.2; every response carries the security fields (server.h).
TEST_F(HttpSession, SimpleGet) {
  EXPECT_EQ(run("GET /jmap/session?x=1 HTTP/1.1\r\nHost: mail.example.org\r\nAccept: */*\r\n\r\n"),
            ok("GET /jmap/session?x=1 []"));
  ASSERT_EQ(handler_.seen.size(), 1u);
  const Request& r = handler_.seen[0];
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/jmap/session?x=1");
  EXPECT_EQ(r.path, "/jmap/session");
  EXPECT_EQ(r.query, "x=1");
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.headers[0].name, "Host");
  EXPECT_EQ(r.headers[0].value, "mail.example.org");
  EXPECT_EQ(r.headers[1].name, "Accept");
  EXPECT_EQ(r.headers[1].value, "*/*");
  EXPECT_EQ(handler_.peers[0].service, "http");
  EXPECT_EQ(handler_.peers[0].remote.address, "192.0.2.10");
}

// RFC 9110 §6.6.1: the real clock gives a current IMF-fixdate.
TEST_F(HttpSession, DateFromTheSystemClock) {
  services_.wall_clock = nullptr;
  std::string out = run("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_TRUE(::testing::Matches(::testing::ContainsRegex(
      "^HTTP/1\\.1 200 OK\r\nDate: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} [A-Z][a-z]{2} "
      "20[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT\r\n"))(out))
      << out;
}

// RFC 9112 §9.3, §9.3.2: persistent connections, pipelined requests answered in order;
// §9.6: Connection: close from the client ends the connection after that response.
TEST_F(HttpSession, PipelinedKeepAliveThenClose) {
  std::string input =
      "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
      "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz"
      "GET /c HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
      "GET /never HTTP/1.1\r\nHost: h\r\n\r\n";
  std::string want =
      ok("GET /a []") + ok("POST /b [xyz]") + ok("GET /c []", "Connection: close\r\n");
  EXPECT_EQ(run(input), want);
  EXPECT_EQ(handler_.seen.size(), 3u);
  // Every split of the same bytes gives the same answer (DESIGN.md §4.3).
  for (size_t piece : {1, 2, 7}) {
    handler_.seen.clear();
    EXPECT_EQ(run(input, piece), want) << piece;
    EXPECT_EQ(handler_.seen.size(), 3u);
  }
}

// RFC 9112 §9.3: HTTP/1.0 closes unless it asked for keep-alive.
TEST_F(HttpSession, Http10) {
  EXPECT_EQ(run("GET /old HTTP/1.0\r\n\r\nGET /never HTTP/1.0\r\n\r\n"),
            ok("GET /old []", "Connection: close\r\n"));
  EXPECT_EQ(handler_.seen.size(), 1u);
  EXPECT_EQ(
      run("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /b HTTP/1.0\r\n\r\n"),
      ok("GET /a []", "Connection: keep-alive\r\n") + ok("GET /b []", "Connection: close\r\n"));
}

// The handler's Connection: close is honoured too.
TEST_F(HttpSession, HandlerClosesTheConnection) {
  handler_.respond = [](const Request&) {
    Response r;
    r.with("Content-Type", "text/plain").with("Connection", "close");
    r.body = "bye";
    return r;
  };
  EXPECT_EQ(run("GET / HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"),
            ok("bye", "Connection: close\r\n"));
}

// RFC 9112 §7.1: chunked request bodies with extensions and trailers, in every split.
TEST_F(HttpSession, ChunkedRequestBody) {
  std::string input =
      "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6;name=value\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
      "GET /next HTTP/1.1\r\nHost: h\r\n\r\n";
  std::string want = ok("POST /up [hello world]") + ok("GET /next []");
  for (size_t piece : {0, 1, 2, 7}) EXPECT_EQ(run(input, piece), want) << piece;
  // An empty body: the last chunk first, with a trailer, byte by byte.
  std::string empty =
      "POST /e HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n\r\n";
  for (size_t piece : {0, 1, 2}) EXPECT_EQ(run(empty, piece), ok("POST /e []")) << piece;
}

// RFC 9110 §10.1.1: 100 Continue once the head is accepted, before the body arrives.
TEST_F(HttpSession, ExpectContinueWithinLimit) {
  MemoryConnection conn(MemoryConnectionOptions{.when_empty = WhenInputEmpty::wait_for_feed});
  conn.feed("PUT /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
  bool done = false;
  boost::asio::co_spawn(io_, run_session(conn, net::SessionContext{"http"}, &services_),
                        [&](std::exception_ptr) { done = true; });
  io_.poll();
  EXPECT_EQ(conn.take_written(), "HTTP/1.1 100 Continue\r\n\r\n");
  EXPECT_TRUE(handler_.seen.empty());
  conn.feed("data");
  conn.feed_eof();
  io_.run();
  EXPECT_TRUE(done);
  EXPECT_EQ(conn.written(), ok("PUT /x [data]"));
}

// RFC 9110 §10.1.1, §15.5.14: a body over the limit is refused before the client sends it.
TEST_F(HttpSession, ExpectContinueOverLimit) {
  EXPECT_EQ(run("PUT /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 65\r\n\r\n"),
            problem(413, "Payload Too Large", "the body of 65 octets is over the limit of 64"));
  EXPECT_TRUE(handler_.seen.empty());
}

// RFC 9110 §10.1.1: an HTTP/1.0 client's expectation is ignored.
TEST_F(HttpSession, ExpectContinueIgnoredForHttp10) {
  EXPECT_EQ(run("PUT /x HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nab"),
            ok("PUT /x [ab]", "Connection: close\r\n"));
}

// RFC 9112 §3: a malformed request line.
TEST_F(HttpSession, BadRequestLine) {
  EXPECT_EQ(run("GET / HTTP/1.1 extra\r\nHost: h\r\n\r\n"),
            problem(400, "Bad Request", "bad version"));
  EXPECT_EQ(run("GET\r\n\r\n"), problem(400, "Bad Request", "bad method"));
  EXPECT_EQ(run("G(T / HTTP/1.1\r\n\r\n"), problem(400, "Bad Request", "bad method"));
  EXPECT_TRUE(handler_.seen.empty());
}

// RFC 9112 §5: a field line without a colon; RFC 9112 §3.2: Host is required.
TEST_F(HttpSession, BadHeaders) {
  EXPECT_EQ(run("GET / HTTP/1.1\r\nHost h\r\n\r\n"), problem(400, "Bad Request", "bad field"));
  EXPECT_EQ(run("GET / HTTP/1.1\r\nAccept: x\r\n\r\n"),
            problem(400, "Bad Request", "an HTTP/1.1 request needs exactly one Host field"));
  EXPECT_EQ(run("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
            problem(400, "Bad Request", "an HTTP/1.1 request needs exactly one Host field"));
  EXPECT_TRUE(handler_.seen.empty());
}

// RFC 9112 §6.1, §6.3: conflicting or unknown framing is refused, never guessed.
TEST_F(HttpSession, AmbiguousFraming) {
  EXPECT_EQ(run("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: "
                "chunked\r\n\r\n0\r\n\r\n"),
            problem(400, "Bad Request", "bad Transfer-Encoding"));
  EXPECT_EQ(run("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n"),
            problem(400, "Bad Request", "chunked must be the final transfer coding"));
  EXPECT_EQ(run("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
            problem(501, "Not Implemented", "no transfer coding but chunked is supported"));
  EXPECT_EQ(run("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"),
            problem(400, "Bad Request", "multiple Content-Length"));
  EXPECT_TRUE(handler_.seen.empty());
}

// RFC 9112 §7.1: a chunk size that is not hexadecimal.
TEST_F(HttpSession, BadChunk) {
  for (size_t piece : {0, 1})
    EXPECT_EQ(
        run("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n", piece),
        problem(400, "Bad Request", "bad chunk"));
  EXPECT_TRUE(handler_.seen.empty());
}

// RFC 6585 §5: a head over max_header_bytes, whole or byte by byte, never buffered
// without bound.
TEST_F(HttpSession, HeadTooLarge) {
  services_.limits.max_header_bytes = 64;
  std::string head = "GET / HTTP/1.1\r\nHost: h\r\nX-Long: " + std::string(60, 'a') + "\r\n\r\n";
  for (size_t piece : {0, 1, 7})
    EXPECT_EQ(run(head, piece), problem(431, "Request Header Fields Too Large",
                                        "the request head is over the size limit"))
        << piece;
  // Without an end of the head at all.
  EXPECT_EQ(run(std::string(200, 'a'), 1), problem(431, "Request Header Fields Too Large",
                                                   "the request head is over the size limit"));
  // Just under the limit still works.
  EXPECT_EQ(run("GET / HTTP/1.1\r\nHost: h\r\nX-Long: " + std::string(20, 'a') + "\r\n\r\n"),
            ok("GET / []"));
}

// RFC 9110 §15.5.14: bodies over the handler's body_limit, by Content-Length and chunked.
TEST_F(HttpSession, BodyTooLarge) {
  EXPECT_EQ(
      run("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'x')),
      problem(413, "Payload Too Large", "the body of 100 octets is over the limit of 64"));
  std::string chunked = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 5; ++i) chunked += "10\r\n" + std::string(16, 'y') + "\r\n";
  chunked += "0\r\n\r\n";
  for (size_t piece : {0, 1, 5})
    EXPECT_EQ(run(chunked, piece),
              problem(413, "Payload Too Large", "the body is over the limit of 64 octets"));
  EXPECT_TRUE(handler_.seen.empty());
  // Exactly at the limit is fine.
  EXPECT_EQ(run("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 64\r\n\r\n" + std::string(64, 'x')),
            ok("POST / [" + std::string(64, 'x') + "]"));
}

// server.h: 408 when a started request is not complete within request_timeout.
TEST_F(HttpSession, RequestTimeout) {
  MemoryConnection conn;  // reads time out at once when nothing is queued
  conn.feed("GET / HTTP/1.1\r\nHost:");
  EXPECT_EQ(run(conn), problem(408, "Request Timeout", "the request was not complete in time"));

  services_.limits.request_timeout = 20ms;
  MemoryConnection slow(MemoryConnectionOptions{.when_empty = WhenInputEmpty::wait_for_feed});
  slow.feed("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nab");
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(run(slow), problem(408, "Request Timeout", "the request was not complete in time"));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 20ms);
  EXPECT_TRUE(handler_.seen.empty());
}

// server.h: idle_timeout ends a kept-alive connection without a word.
TEST_F(HttpSession, IdleTimeoutClosesSilently) {
  MemoryConnection conn;
  EXPECT_EQ(run(conn), "");
  services_.limits.idle_timeout = 10ms;
  MemoryConnection waiting(MemoryConnectionOptions{.when_empty = WhenInputEmpty::wait_for_feed});
  waiting.feed("GET / HTTP/1.1\r\nHost: h\r\n\r\n\r\n");
  EXPECT_EQ(run(waiting), ok("GET / []"));
}

// RFC 9112 §3.2: HTTP/2 and HTTP/0.x are not spoken here.
TEST_F(HttpSession, VersionNotSupported) {
  for (std::string_view v : {"HTTP/2.0", "HTTP/0.9", "HTTP/3.1", "HTTP/1.2"})
    EXPECT_EQ(
        run(fmt::format("GET / {}\r\nHost: h\r\n\r\n", v)),
        problem(505, "HTTP Version Not Supported", "only HTTP/1.0 and HTTP/1.1 are supported"))
        << v;
  EXPECT_EQ(run("GET / HTTP/2.0x\r\nHost: h\r\n\r\n"), problem(400, "Bad Request", "bad version"));
  EXPECT_EQ(run("GET / HTTPS/2.0\r\nHost: h\r\n\r\n"), problem(400, "Bad Request", "bad version"));
}

// RFC 9110 §9.3.2: HEAD gets GET's Content-Length and no body.
TEST_F(HttpSession, Head) {
  std::string out = run("HEAD /h HTTP/1.1\r\nHost: h\r\n\r\nGET /g HTTP/1.1\r\nHost: h\r\n\r\n");
  std::string head_only = ok("HEAD /h []");
  head_only.resize(head_only.size() - std::string_view("HEAD /h []").size());
  EXPECT_EQ(out, head_only + ok("GET /g []"));
}

// Fetch standard, CORS protocol: an allowed preflight is answered by the session.
TEST_F(HttpSession, CorsPreflightAllowed) {
  services_.cors_origins = {"https://app.example.org"};
  EXPECT_EQ(run("OPTIONS /jmap/api HTTP/1.1\r\nHost: h\r\nOrigin: https://app.example.org\r\n"
                "Access-Control-Request-Method: POST\r\n\r\n"),
            std::string("HTTP/1.1 204 No Content\r\n") + std::string(kDate) +
                "Access-Control-Allow-Origin: https://app.example.org\r\n"
                "Access-Control-Allow-Methods: GET, POST, OPTIONS\r\n"
                "Access-Control-Allow-Headers: Authorization, Content-Type, Accept\r\n"
                "Access-Control-Max-Age: 600\r\nVary: Origin\r\n" +
                std::string(kSecurity) + "\r\n");
  EXPECT_TRUE(handler_.seen.empty());
}

// An origin not configured gets no CORS fields; its OPTIONS goes to the handler.
TEST_F(HttpSession, CorsPreflightDenied) {
  services_.cors_origins = {"https://app.example.org"};
  EXPECT_EQ(run("OPTIONS /jmap/api HTTP/1.1\r\nHost: h\r\nOrigin: https://evil.example\r\n"
                "Access-Control-Request-Method: POST\r\n\r\n"),
            ok("OPTIONS /jmap/api []"));
  EXPECT_EQ(handler_.seen.size(), 1u);
  // CORS off: even that origin is not answered.
  services_.cors_origins.clear();
  EXPECT_EQ(run("OPTIONS / HTTP/1.1\r\nHost: h\r\nOrigin: https://app.example.org\r\n"
                "Access-Control-Request-Method: POST\r\n\r\n"),
            ok("OPTIONS / []"));
}

TEST_F(HttpSession, CorsSimpleRequestFromAllowedOrigin) {
  services_.cors_origins = {"https://other.example", "https://app.example.org"};
  EXPECT_EQ(run("GET /s HTTP/1.1\r\nHost: h\r\nOrigin: https://app.example.org\r\n\r\n"),
            expected("200 OK",
                     "Content-Type: text/plain\r\nAccess-Control-Allow-Origin: "
                     "https://app.example.org\r\nVary: Origin\r\n",
                     "GET /s []"));
}

// server.h: CSP on text/html, the handler's own Cache-Control kept, HSTS over TLS.
TEST_F(HttpSession, SecurityHeaders) {
  handler_.respond = [](const Request&) {
    Response r;
    r.with("Content-Type", "text/html; charset=utf-8").with("Cache-Control", "max-age=60");
    r.body = "<p>";
    return r;
  };
  MemoryConnection conn;
  ASSERT_TRUE(net::testing::run_to_completion(io_, conn.start_tls(1s)));
  conn.feed_script("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(run(conn), std::string("HTTP/1.1 200 OK\r\n") + std::string(kDate) +
                           "Content-Type: text/html; charset=utf-8\r\nCache-Control: max-age=60\r\n"
                           "X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n"
                           "Content-Security-Policy: default-src 'none'; script-src 'self'; "
                           "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src "
                           "'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'\r\n"
                           "Strict-Transport-Security: max-age=31536000\r\n"
                           "Content-Length: 3\r\n\r\n<p>");
}

// The session frames messages itself: a handler's framing fields are dropped, an
// invalid field or status becomes a 500.
TEST_F(HttpSession, HandlerFramingFieldsIgnored) {
  handler_.respond = [](const Request&) {
    Response r;
    r.status = 404;
    r.with("Content-Length", "999").with("Transfer-Encoding", "chunked").with("Date", "x");
    r.body = "nf";
    return r;
  };
  EXPECT_EQ(run("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), expected("404 Not Found", "", "nf"));
}

TEST_F(HttpSession, HandlerFailuresBecome500) {
  int calls = 0;
  handler_.respond = [&calls](const Request& r) -> Response {
    ++calls;
    if (r.path == "/throw") throw std::runtime_error("boom");
    Response bad;
    if (r.path == "/inject") bad.with("X-A", "1\r\nSet-Cookie: a=b");
    if (r.path == "/status") bad.status = 101;
    return bad;
  };
  std::string e500 = internal_error();
  ::testing::internal::CaptureStderr();
  // The connection stays usable after a handler failure.
  EXPECT_EQ(run("GET /throw HTTP/1.1\r\nHost: h\r\n\r\nGET /inject HTTP/1.1\r\nHost: h\r\n\r\n"
                "GET /status HTTP/1.1\r\nHost: h\r\n\r\n"),
            e500 + e500 + e500);
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(calls, 3);
  EXPECT_NE(log.find("postamt/http"), std::string::npos) << log;
  EXPECT_NE(log.find("handler failed for GET /throw: boom"), std::string::npos) << log;
  EXPECT_NE(log.find("192.0.2.10 \"GET /throw HTTP/1.1\" 500 "), std::string::npos) << log;
}

// server.h access log: one line per request.
TEST_F(HttpSession, AccessLog) {
  handler_.respond = [](const Request&) {
    Response r;
    r.body = "12345";
    r.log_user = "alice@example.org";
    return r;
  };
  ::testing::internal::CaptureStderr();
  run("GET /jmap/session?secret=1 HTTP/1.1\r\nHost: h\r\n\r\nHEAD /x HTTP/1.1\r\nHost: h\r\n\r\n"
      "BAD\r\n\r\n");
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find(": 192.0.2.10 \"GET /jmap/session HTTP/1.1\" 200 5 user=alice@example.org\n"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find(": 192.0.2.10 \"HEAD /x HTTP/1.1\" 200 0 user=alice@example.org\n"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find(": 192.0.2.10 \"-\" 400 "), std::string::npos) << log;
  EXPECT_EQ(log.find("secret"), std::string::npos) << log;
}

// RFC 9112 §7.1, RFC 8620 §7.3: a streamed body as chunks, empty pieces skipped, then
// the last chunk and close.
TEST_F(HttpSession, StreamedResponse) {
  handler_.respond = [](const Request&) {
    Response r;
    r.with("Content-Type", "text/event-stream");
    auto stream = std::make_unique<ScriptedStream>();
    stream->pieces = {"event: state\ndata: {}\n\n", "", "x", std::nullopt};
    r.stream = std::move(stream);
    return r;
  };
  std::string head = std::string("HTTP/1.1 200 OK\r\n") + std::string(kDate) +
                     "Content-Type: text/event-stream\r\n" + std::string(kSecurity);
  EXPECT_EQ(run("GET /events HTTP/1.1\r\nHost: h\r\n\r\nGET /never HTTP/1.1\r\nHost: h\r\n\r\n"),
            head +
                "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                "17\r\nevent: state\ndata: {}\n\n\r\n1\r\nx\r\n0\r\n\r\n");
  EXPECT_EQ(handler_.seen.size(), 1u);
  // RFC 9112 §7: no chunked coding to HTTP/1.0; the body ends when the connection does.
  EXPECT_EQ(run("GET /events HTTP/1.0\r\n\r\n"),
            head + "Connection: close\r\n\r\nevent: state\ndata: {}\n\nx");
}

// Shutdown ends an endless stream with the last chunk.
TEST_F(HttpSession, StreamStopsOnShutdown) {
  MemoryConnection conn;
  handler_.respond = [&conn](const Request&) {
    Response r;
    auto stream = std::make_unique<ScriptedStream>();
    stream->shutdown_conn = &conn;
    stream->shutdown_after = 2;
    r.stream = std::move(stream);
    return r;
  };
  conn.feed("GET /events HTTP/1.1\r\nHost: h\r\n\r\n");
  std::string out = run(conn);
  // The piece next() returned while shutdown was asked for still goes out.
  EXPECT_EQ(out.substr(out.find("\r\n\r\n") + 4),
            "5\r\nping\n\r\n5\r\nping\n\r\n5\r\nping\n\r\n0\r\n\r\n");
}

// Lets `ok_writes` writes through, then fails every write as a vanished peer would.
class PeerGoesAway final : public net::testing::ForwardingConnection {
 public:
  PeerGoesAway(MemoryConnection& inner, size_t ok_writes)
      : ForwardingConnection(inner), left_(ok_writes) {}
  net::awaitable<Result<void>> write(std::string_view data, net::Duration t) override {
    if (left_ == 0) co_return Error{ErrorKind::io, "connection reset by peer"};
    --left_;
    co_return co_await inner_.write(data, t);
  }

 private:
  size_t left_;
};

// A stream to a peer that went away ends at the first failed write.
TEST_F(HttpSession, StreamStopsWhenThePeerIsGone) {
  ScriptedStream* stream_seen = nullptr;
  handler_.respond = [&stream_seen](const Request&) {
    Response r;
    auto stream = std::make_unique<ScriptedStream>();  // endless pings
    stream_seen = stream.get();
    r.stream = std::move(stream);
    return r;
  };
  MemoryConnection inner;
  inner.feed("GET /events HTTP/1.1\r\nHost: h\r\n\r\n");
  PeerGoesAway conn(inner, 3);  // the head and two chunks
  ::testing::internal::CaptureStderr();
  net::testing::run_to_completion(io_, run_session(conn, net::SessionContext{"http"}, &services_));
  std::string log = ::testing::internal::GetCapturedStderr();
  std::string out = inner.written();
  EXPECT_EQ(out.substr(out.find("\r\n\r\n") + 4), "5\r\nping\n\r\n5\r\nping\n\r\n");
  EXPECT_NE(log.find("\"GET /events HTTP/1.1\" 200 10 user=-"), std::string::npos) << log;
  EXPECT_TRUE(inner.closed());
}

// server.h: the response in progress is finished, then the connection closes.
TEST_F(HttpSession, ShutdownFinishesTheResponseInProgress) {
  MemoryConnection conn;
  handler_.respond = [&conn](const Request&) {
    conn.request_shutdown();
    Response r;
    r.with("Content-Type", "text/plain");
    r.body = "last";
    return r;
  };
  conn.feed("GET / HTTP/1.1\r\nHost: h\r\n\r\nGET /never HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(run(conn), ok("last", "Connection: close\r\n"));
  EXPECT_EQ(handler_.seen.size(), 1u);
}

// server.h, net::Admission: 503 with Retry-After, nothing read.
TEST_F(HttpSession, AdmissionRefused) {
  MemoryConnection conn;
  conn.feed_script("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  std::string body = R"({"type":"about:blank","status":503,"title":"Service Unavailable",)"
                     R"("detail":"too many connections, try again later"})";
  EXPECT_EQ(run(conn, net::Admission::too_many_from_ip),
            expected("503 Service Unavailable",
                     "Content-Type: application/problem+json\r\nRetry-After: 5\r\n", body,
                     "Connection: close\r\n"));
  EXPECT_TRUE(handler_.seen.empty());
}

// An upgraded protocol that writes what it was handed and then echoes what it reads,
// until a read fails (EOF, or shutdown).
class EchoUpgraded final : public Upgraded {
 public:
  bool* shutdown_seen = nullptr;
  std::function<void()> after_first_write;
  net::awaitable<void> run(net::Connection& conn, std::string already_read) override {
    co_await conn.write("[" + already_read + "]", std::chrono::seconds(1));
    if (after_first_write) after_first_write();
    std::array<char, 64> buffer{};
    for (;;) {
      auto got = co_await conn.read_some(std::span<char>(buffer.data(), buffer.size()),
                                         std::chrono::seconds(5));
      if (!got) break;
      co_await conn.write(std::string_view(buffer.data(), *got), std::chrono::seconds(1));
    }
    if (shutdown_seen) *shutdown_seen = conn.shutdown_requested();
  }
};

Response switching(bool* shutdown_seen = nullptr, MemoryConnection* shut_down = nullptr) {
  Response r;
  r.status = 101;
  r.with("Upgrade", "echo").with("Connection", "Upgrade");
  auto echo = std::make_unique<EchoUpgraded>();
  echo->shutdown_seen = shutdown_seen;
  if (shut_down) echo->after_first_write = [shut_down] { shut_down->request_shutdown(); };
  r.upgrade = std::move(echo);
  r.log_user = "alice@example.org";
  return r;
}

constexpr std::string_view kSwitching =
    "HTTP/1.1 101 Switching Protocols\r\nDate: Sun, 06 Dec 2026 21:22:43 GMT\r\nUpgrade: "
    "echo\r\nConnection: Upgrade\r\nCache-Control: no-store\r\nX-Content-Type-Options: "
    "nosniff\r\nReferrer-Policy: no-referrer\r\n\r\n";

// message.h Upgraded: after the 101 (no Content-Length, the handler's Connection kept)
// the connection is the upgraded protocol's, with the octets already read past the
// request first; the session ends when it returns. Whole and in pieces.
TEST_F(HttpSession, UpgradeHandsOverTheConnection) {
  handler_.respond = [](const Request&) { return switching(); };
  std::string input =
      "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nfirst"
      "GET / HTTP/1.1\r\n\r\n";
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run(input), std::string(kSwitching) + "[firstGET / HTTP/1.1\r\n\r\n]");
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find(": 192.0.2.10 \"GET /ws HTTP/1.1\" 101 0 user=alice@example.org\n"),
            std::string::npos)
      << log;
  ASSERT_EQ(handler_.seen.size(), 1u);
  EXPECT_EQ(handler_.seen[0].version, 11u);
  // In pieces: what the session has not read yet reaches the protocol by its reads.
  for (size_t piece : {1, 2, 7}) {
    std::string out = run(input, piece);
    ASSERT_TRUE(out.starts_with(kSwitching)) << piece;
    std::string rest = out.substr(kSwitching.size());
    EXPECT_TRUE(rest.starts_with("[")) << piece;
    rest.erase(std::remove(rest.begin(), rest.end(), '['), rest.end());
    rest.erase(std::remove(rest.begin(), rest.end(), ']'), rest.end());
    EXPECT_EQ(rest, "firstGET / HTTP/1.1\r\n\r\n") << piece;
  }
}

// Server::stop ends an upgraded connection: its reads fail and it returns.
TEST_F(HttpSession, UpgradedConnectionEndsOnShutdown) {
  bool shutdown_seen = false;
  MemoryConnection conn(MemoryConnectionOptions{.when_empty = WhenInputEmpty::wait_for_feed});
  handler_.respond = [&shutdown_seen, &conn](const Request&) {
    return switching(&shutdown_seen, &conn);
  };
  conn.feed("GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n");
  EXPECT_EQ(run(conn), std::string(kSwitching) + "[]");
  EXPECT_TRUE(shutdown_seen);
}

// A 101 needs an upgraded protocol and an HTTP/1.1 request (RFC 9110 §7.8); an upgraded
// protocol needs a 101. Anything else is the handler's failure: 500.
TEST_F(HttpSession, UpgradeOnlyWith101ToHttp11) {
  handler_.respond = [](const Request& r) {
    Response out = switching();
    if (r.path == "/ok-status") out.status = 200;
    return out;
  };
  std::string e500 = internal_error();
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run("GET /ok-status HTTP/1.1\r\nHost: h\r\n\r\n"), e500);
  EXPECT_EQ(run("GET /ws HTTP/1.0\r\n\r\n"), internal_error("Connection: close\r\n"));
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("a 101 response needs an upgraded protocol and only it may have one"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("a 101 response to an HTTP/1.0 request"), std::string::npos) << log;
}

// RFC 9112 §2.2: empty lines before a request are ignored; EOF mid-request is silent.
TEST_F(HttpSession, LeadingEmptyLinesAndEofMidRequest) {
  EXPECT_EQ(run("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"), ok("GET / []"));
  EXPECT_EQ(run("GET / HTTP/1.1\r\nHo"), "");
  EXPECT_EQ(run("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 9\r\n\r\nab"), "");
}

}  // namespace
}  // namespace postamt::http
