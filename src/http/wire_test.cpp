// The session's Beast-free wire helpers: exact text for each rule.
#include "http/wire.h"

#include <gtest/gtest.h>

namespace postamt::http::detail {
namespace {

// RFC 9110 §5.6.7 IMF-fixdate.
TEST(HttpWire, DateIsImfFixdate) {
  EXPECT_EQ(http_date(std::chrono::system_clock::time_point(std::chrono::seconds(1796592163))),
            "Sun, 06 Dec 2026 21:22:43 GMT");
  EXPECT_EQ(http_date(std::chrono::system_clock::time_point(std::chrono::seconds(784111777))),
            "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(http_date(std::chrono::system_clock::time_point{}), "Thu, 01 Jan 1970 00:00:00 GMT");
}

// RFC 7807 §3.1; control characters and quotes escaped (RFC 8259 §7).
TEST(HttpWire, ProblemJson) {
  EXPECT_EQ(
      problem_json(413, "too big"),
      R"({"type":"about:blank","status":413,"title":"Payload Too Large","detail":"too big"})");
  EXPECT_EQ(
      problem_json(400, "a \"b\"\\\n\x01"),
      R"({"type":"about:blank","status":400,"title":"Bad Request","detail":"a \"b\"\\\u000a\u0001"})");
}

TEST(HttpWire, ReasonPhrases) {
  EXPECT_EQ(reason_phrase(200), "OK");
  EXPECT_EQ(reason_phrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(reason_phrase(505), "HTTP Version Not Supported");
  EXPECT_EQ(reason_phrase(299), "Unknown");
}

// RFC 9110 §5.6.1 lists, §7.6.1 Connection options.
TEST(HttpWire, TokenLists) {
  EXPECT_TRUE(has_token("keep-alive, Close", "close"));
  EXPECT_TRUE(has_token("100-Continue", "100-continue"));
  EXPECT_FALSE(has_token("closed", "close"));
  EXPECT_FALSE(has_token("", "close"));
}

TEST(HttpWire, FieldSyntax) {
  EXPECT_TRUE(valid_field_name("X-Custom_1"));
  EXPECT_FALSE(valid_field_name(""));
  EXPECT_FALSE(valid_field_name("Bad Name"));
  EXPECT_FALSE(valid_field_name("Bad:Name"));
  EXPECT_TRUE(valid_field_value("text/plain; charset=utf-8"));
  EXPECT_FALSE(valid_field_value("a\r\nSet-Cookie: x"));
  EXPECT_FALSE(valid_field_value(std::string_view("a\0b", 3)));
}

// RFC 9112 §3.2: origin-, absolute- and asterisk-form.
TEST(HttpWire, SplitTarget) {
  std::string path, query;
  split_target("/jmap/api?x=1&y", path, query);
  EXPECT_EQ(path, "/jmap/api");
  EXPECT_EQ(query, "x=1&y");
  split_target("/a", path, query);
  EXPECT_EQ(path, "/a");
  EXPECT_EQ(query, "");
  split_target("HTTP://mail.example.org:8080/b/c?q", path, query);
  EXPECT_EQ(path, "/b/c");
  EXPECT_EQ(query, "q");
  split_target("https://mail.example.org", path, query);
  EXPECT_EQ(path, "/");
  EXPECT_EQ(query, "");
  split_target("http://h?z", path, query);
  EXPECT_EQ(path, "/");
  EXPECT_EQ(query, "z");
  split_target("*", path, query);
  EXPECT_EQ(path, "*");
}

TEST(HttpWire, SecurityHeadersKeepTheHandlersOwn) {
  std::vector<Header> h{{"Content-Type", "Text/HTML; charset=utf-8"},
                        {"cache-control", "max-age=60"}};
  add_security_headers(h, ConnectionSecurity::tls);
  ASSERT_EQ(h.size(), 6u);
  EXPECT_EQ(h[1].value, "max-age=60");
  EXPECT_EQ(h[2].name, "X-Content-Type-Options");
  EXPECT_EQ(h[3].name, "Referrer-Policy");
  EXPECT_EQ(h[4].name, "Content-Security-Policy");
  EXPECT_EQ(h[4].value, kHtmlContentSecurityPolicy);
  EXPECT_EQ(h[5].name, "Strict-Transport-Security");
  EXPECT_EQ(h[5].value, "max-age=31536000");

  std::vector<Header> json{{"Content-Type", "application/json"},
                           {"Content-Security-Policy", "sandbox"}};
  add_security_headers(json, ConnectionSecurity::plain);
  ASSERT_EQ(json.size(), 5u);
  EXPECT_EQ(json[1].value, "sandbox");
  EXPECT_EQ(json[2].name, "Cache-Control");
  EXPECT_EQ(json[2].value, "no-store");
}

TEST(HttpWire, CorsOriginsMatchExactly) {
  Request r;
  r.method = "OPTIONS";
  r.headers = {{"origin", "https://mail.example.org"}};
  std::vector<std::string> allowed{"https://mail.example.org"};
  EXPECT_EQ(allowed_origin(r, allowed), "https://mail.example.org");
  EXPECT_FALSE(is_preflight(r));
  r.headers.push_back({"Access-Control-Request-Method", "POST"});
  EXPECT_TRUE(is_preflight(r));
  r.headers[0].value = "https://mail.example.org.evil";
  EXPECT_EQ(allowed_origin(r, allowed), std::nullopt);
  r.headers[0].value = "HTTPS://MAIL.EXAMPLE.ORG";
  EXPECT_EQ(allowed_origin(r, allowed), std::nullopt);
}

TEST(HttpWire, RequestHeaderLookupIsCaseInsensitive) {
  Request r;
  r.headers = {{"X-A", "1"}, {"x-a", "2"}, {"Content-Type", "text/plain"}};
  EXPECT_EQ(r.header("x-A"), "1");
  EXPECT_EQ(r.header("CONTENT-TYPE"), "text/plain");
  EXPECT_EQ(r.header("Content-Typ"), std::nullopt);
}

TEST(HttpWire, EncodeHead) {
  EXPECT_EQ(encode_head(404, {{"A", "1"}, {"B", ""}}),
            "HTTP/1.1 404 Not Found\r\nA: 1\r\nB: \r\n\r\n");
}

}  // namespace
}  // namespace postamt::http::detail
