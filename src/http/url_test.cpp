#include "http/url.h"

#include <gtest/gtest.h>

namespace postamt::http {
namespace {

HttpsUrl ok(std::string_view text) {
  auto url = parse_https_url(text, 2000);
  EXPECT_TRUE(url) << text << ": " << (url ? "" : url.error().message);
  return url ? *url : HttpsUrl{};
}

std::string refusal(std::string_view text, size_t max = 2000) {
  auto url = parse_https_url(text, max);
  EXPECT_FALSE(url) << text;
  if (url) return "";
  EXPECT_EQ(url.error().kind, ErrorKind::invalid);
  return url.error().message;
}

TEST(HttpsUrl, Parts) {
  HttpsUrl a = ok("https://Push.Example.COM/push/?device=X8980fc&client=12c6d086");
  EXPECT_EQ(a.host, "push.example.com");
  EXPECT_FALSE(a.host_is_address);
  EXPECT_EQ(a.port, 443);
  EXPECT_EQ(a.target, "/push/?device=X8980fc&client=12c6d086");
  EXPECT_EQ(a.authority, "push.example.com");

  HttpsUrl b = ok("HTTPS://127.0.0.1:8443");
  EXPECT_EQ(b.host, "127.0.0.1");
  EXPECT_TRUE(b.host_is_address);
  EXPECT_EQ(b.port, 8443);
  EXPECT_EQ(b.target, "/");
  EXPECT_EQ(b.authority, "127.0.0.1:8443");

  HttpsUrl c = ok("https://[2001:DB8::1]:9/p#frag");
  EXPECT_EQ(c.host, "2001:db8::1");
  EXPECT_TRUE(c.host_is_address);
  EXPECT_EQ(c.port, 9);
  EXPECT_EQ(c.target, "/p");
  EXPECT_EQ(c.authority, "[2001:db8::1]:9");

  HttpsUrl d = ok("https://h.example?x=%20y");
  EXPECT_EQ(d.target, "/?x=%20y");
  EXPECT_EQ(ok("https://[::1]").authority, "[::1]");
}

TEST(HttpsUrl, Refusals) {
  EXPECT_EQ(refusal("http://push.example.com/"), "the url must begin with https://");
  EXPECT_EQ(refusal("ftp://x"), "the url must begin with https://");
  EXPECT_EQ(refusal("https:/x"), "the url must begin with https://");
  EXPECT_EQ(refusal("https://"), "the url has no host");
  EXPECT_EQ(refusal("https:///path"), "the url has no host");
  EXPECT_EQ(refusal("https://user:pw@push.example.com/"), "the url must not name a user");
  EXPECT_EQ(refusal("https://push.example.com:/"), "the url's port is empty");
  EXPECT_EQ(refusal("https://push.example.com:0/"),
            "the url's port is not a number from 1 to 65535");
  EXPECT_EQ(refusal("https://push.example.com:65536/"),
            "the url's port is not a number from 1 to 65535");
  EXPECT_EQ(refusal("https://push.example.com:44x/"),
            "the url's port is not a number from 1 to 65535");
  EXPECT_EQ(refusal("https://push_example.com/"), "the url's host is not a DNS name or an address");
  EXPECT_EQ(refusal("https://a..b/"), "the url's host is not a DNS name or an address");
  EXPECT_EQ(refusal("https://[::1/"), "the url's IPv6 address is not closed");
  EXPECT_EQ(refusal("https://[zz::1]/"), "the url's IPv6 address is malformed");
  EXPECT_EQ(refusal("https://[::1]x/"), "the url's host is malformed");
  EXPECT_EQ(refusal("https://push.example.com/a b"),
            "the url has a space, control character, backslash or non-ASCII octet");
  EXPECT_EQ(refusal("https://push.example.com/\r\nX: y"),
            "the url has a space, control character, backslash or non-ASCII octet");
  EXPECT_EQ(refusal("https://push.example.com\\@evil/"),
            "the url has a space, control character, backslash or non-ASCII octet");
  EXPECT_EQ(refusal("https://push.example.com/\xc3\xa9"),
            "the url has a space, control character, backslash or non-ASCII octet");
  EXPECT_EQ(refusal("https://" + std::string(254, 'a') + "/"),
            "the url's host is longer than 253 octets");
  EXPECT_EQ(refusal("https://push.example.com/12345", 29), "the url is longer than 29 octets");
  EXPECT_TRUE(parse_https_url("https://push.example.com/12345", 30));
}

}  // namespace
}  // namespace postamt::http
