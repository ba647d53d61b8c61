#include "http/cookies.h"

#include <gtest/gtest.h>

namespace postamt::http {
namespace {

Request with_cookies(std::vector<std::string> values) {
  Request r;
  for (std::string& v : values) r.headers.push_back({"Cookie", std::move(v)});
  return r;
}

TEST(Cookies, FindsTheNamedCookieAmongOthers) {
  Request r = with_cookies({"theme=dark; postamt_session=abc-DEF_1; lang=de"});
  EXPECT_EQ(cookie(r, "postamt_session"), "abc-DEF_1");
  EXPECT_EQ(cookie(r, "lang"), "de");
  EXPECT_EQ(cookie(r, "theme"), "dark");
  EXPECT_EQ(cookie(r, "missing"), std::nullopt);
  // Names match exactly: a cookie whose name only starts with it is another cookie.
  EXPECT_EQ(cookie(with_cookies({"postamt_session_old=x"}), "postamt_session"), std::nullopt);
  EXPECT_EQ(cookie(with_cookies({"Postamt_Session=x"}), "postamt_session"), std::nullopt);
}

TEST(Cookies, ReadsSeveralFieldsQuotesAndOddSpacing) {
  Request r = with_cookies({"a=1", "  b = \"two\" ;c=", "d"});
  EXPECT_EQ(cookie(r, "a"), "1");
  EXPECT_EQ(cookie(r, "b"), "two");
  EXPECT_EQ(cookie(r, "c"), "");
  EXPECT_EQ(cookie(r, "d"), std::nullopt);  // no '=': not a cookie
  r.headers.insert(r.headers.begin(), Header{"cookie", "a=first"});
  EXPECT_EQ(cookie(r, "a"), "first");  // field names are case-insensitive, first wins
  EXPECT_EQ(cookie(with_cookies({"x=\""}), "x"), "\"");
  EXPECT_EQ(cookie(Request{}, "a"), std::nullopt);
}

TEST(Cookies, SetCookieCarriesEveryAttribute) {
  SetCookie c{"postamt_session", "s3cret"};
  EXPECT_EQ(set_cookie_value(c), "postamt_session=s3cret; Path=/; HttpOnly; SameSite=Strict");
  c.secure = true;
  c.max_age = std::chrono::seconds(0);
  c.value = "";
  EXPECT_EQ(set_cookie_value(c),
            "postamt_session=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict");
}

}  // namespace
}  // namespace postamt::http
