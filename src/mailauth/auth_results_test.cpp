#include "mailauth/auth_results.h"

#include <gtest/gtest.h>

#include <string>

namespace postamt::mailauth {
namespace {

using Properties = std::vector<std::pair<std::string, std::string>>;

MethodResult method(std::string name, std::string result, Properties properties = {},
                    std::string comment = "", std::string reason = "") {
  MethodResult r;
  r.method = std::move(name);
  r.result = std::move(result);
  r.properties = std::move(properties);
  r.comment = std::move(comment);
  r.reason = std::move(reason);
  return r;
}

// What render() wrote, parsed again (the value after the field name).
Result<AuthResults> reparse(const std::string& field) {
  constexpr std::string_view kName = "Authentication-Results:";
  EXPECT_TRUE(field.starts_with(kName)) << field;
  EXPECT_TRUE(field.ends_with("\r\n")) << field;
  return parse(std::string_view(field).substr(kName.size()));
}

// ---- render ----

TEST(AuthResultsRender, TypicalMxResultsOneMethodPerLine) {
  AuthResults ar{
      "mx.example.org",
      {method("dkim", "pass", {{"header.d", "example.org"}}),
       method("spf", "pass", {{"smtp.mailfrom", "alice@example.org"}}),
       method("dmarc", "fail", {{"header.from", "example.com"}}, "p=reject dis=quarantine")}};
  EXPECT_EQ(render(ar),
            "Authentication-Results: mx.example.org;\r\n"
            " dkim=pass header.d=example.org;\r\n"
            " spf=pass smtp.mailfrom=alice@example.org;\r\n"
            " dmarc=fail (p=reject dis=quarantine) header.from=example.com\r\n");
}

TEST(AuthResultsRender, NoResultsIsNone) {
  EXPECT_EQ(render(AuthResults{"mx.example.org", {}}),
            "Authentication-Results: mx.example.org; none\r\n");
}

TEST(AuthResultsRender, EvenOneShortResultStartsItsOwnLine) {
  AuthResults ar{"mx.example.org", {method("dmarc", "pass", {{"header.from", "example.com"}})}};
  EXPECT_EQ(render(ar),
            "Authentication-Results: mx.example.org;\r\n dmarc=pass header.from=example.com\r\n");
}

TEST(AuthResultsRender, EveryLineWithinSeventyEightColumns) {
  AuthResults ar{"mx.example.org", {}};
  for (int i = 0; i < 6; ++i) {
    ar.results.push_back(method("dkim", i % 2 ? "fail" : "pass",
                                {{"header.d", "sub" + std::to_string(i) + ".example.org"},
                                 {"header.s", "selector2026"},
                                 {"header.b", "AbCdEfGh"}},
                                "good signature"));
  }
  const std::string field = render(ar);
  size_t start = 0;
  int lines = 0;
  while (start < field.size()) {
    const size_t end = field.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 78u) << field.substr(start, end - start);
    if (lines > 0) {
      EXPECT_EQ(field[start], ' ');
    }
    start = end + 2;
    ++lines;
  }
  EXPECT_GT(lines, 6);
  auto back = reparse(field);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, ar);
}

TEST(AuthResultsRender, QuotesValuesThatAreNotTokens) {
  MethodResult r = method("dkim", "fail",
                          {{"header.b", "oINE+/8h"},
                           {"header.i", "@example.org"},
                           {"smtp.mailfrom", ""},
                           {"header.x", "say \"hi\" \\ bye"}},
                          "", "bad signature");
  AuthResults ar{"mx example", {r}};
  EXPECT_EQ(render(ar),
            "Authentication-Results: \"mx example\";\r\n"
            " dkim=fail reason=\"bad signature\" header.b=\"oINE+/8h\" header.i=@example.org\r\n"
            " smtp.mailfrom=\"\" header.x=\"say \\\"hi\\\" \\\\ bye\"\r\n");
  auto back = reparse(render(ar));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, ar);
}

TEST(AuthResultsRender, CommentParenthesesAreEscaped) {
  AuthResults ar{"mx.example.org", {method("spf", "softfail", {}, "a (b) c\\d)")}};
  EXPECT_EQ(render(ar),
            "Authentication-Results: mx.example.org;\r\n spf=softfail (a \\(b\\) c\\\\d\\))\r\n");
  auto back = reparse(render(ar));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->results.at(0).comment, "a (b) c\\d)");
}

TEST(AuthResultsRender, ControlCharactersCannotEndTheField) {
  AuthResults ar{"mx.example.org\r\nX-Evil: 1",
                 {method("dkim", "pass\r\nX", {{"header.d", "a\r\nX-Injected: yes"}}, "c\r\nX-C: 1",
                         "r\nX-R: 1")}};
  const std::string field = render(ar);
  // The only line ends are folds (followed by a space) and the final one.
  for (size_t i = field.find('\n'); i + 1 < field.size(); i = field.find('\n', i + 1)) {
    EXPECT_EQ(field[i - 1], '\r');
    EXPECT_EQ(field[i + 1], ' ');
  }
  EXPECT_EQ(field.find("\nX-"), std::string::npos) << field;
  EXPECT_EQ(field.find('\0'), std::string::npos);
  EXPECT_TRUE(reparse(field).ok());
}

TEST(AuthResultsRender, MethodVersion) {
  MethodResult r = method("dkim", "pass");
  r.version = "1";
  EXPECT_EQ(render(AuthResults{"a.example", {r}}),
            "Authentication-Results: a.example;\r\n dkim/1=pass\r\n");
}

// ---- parse: RFC 8601 Appendix B ----

TEST(AuthResultsParse, B1NoFieldAtAll) {
  // B.1: no Authentication-Results field: nothing to find.
  EXPECT_FALSE(find_own("From: a@example.com\r\nSubject: x\r\n\r\nbody\r\n", "example.com"));
}

TEST(AuthResultsParse, B2ServiceButNoAuthentication) {
  auto r = parse(" example.org 1; none");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, (AuthResults{"example.org", {}}));
}

TEST(AuthResultsParse, B3OneMethod) {
  auto r = parse(" example.com;\r\n          spf=pass smtp.mailfrom=example.net");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, (AuthResults{"example.com",
                             {method("spf", "pass", {{"smtp.mailfrom", "example.net"}})}}));
}

TEST(AuthResultsParse, B4SeveralMethodsOneMta) {
  auto r = parse(
      " example.com;\r\n"
      "          auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n"
      "          spf=pass smtp.mailfrom=example.net");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r,
            (AuthResults{"example.com",
                         {method("auth", "pass", {{"smtp.auth", "sender@example.net"}}, "cram-md5"),
                          method("spf", "pass", {{"smtp.mailfrom", "example.net"}})}}));
  auto iprev = parse(" example.com; iprev=pass\r\n          policy.iprev=192.0.2.200");
  ASSERT_TRUE(iprev.ok()) << iprev.error().message;
  EXPECT_EQ(*iprev, (AuthResults{"example.com",
                                 {method("iprev", "pass", {{"policy.iprev", "192.0.2.200"}})}}));
}

TEST(AuthResultsParse, B5SeveralMethodsSeveralMtas) {
  auto r = parse(
      " example.com;\r\n"
      "          sender-id=fail header.from=example.com;\r\n"
      "          dkim=pass (good signature) header.d=example.com");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(
      *r, (AuthResults{"example.com",
                       {method("sender-id", "fail", {{"header.from", "example.com"}}),
                        method("dkim", "pass", {{"header.d", "example.com"}}, "good signature")}}));
}

TEST(AuthResultsParse, B6MultiTieredWithReasons) {
  auto r = parse(
      " example.com;\r\n"
      "        dkim=pass reason=\"good signature\"\r\n"
      "          header.i=@mail-router.example.net;\r\n"
      "        dkim=fail reason=\"bad signature\"\r\n"
      "          header.i=@newyork.example.com");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(
      *r,
      (AuthResults{
          "example.com",
          {method("dkim", "pass", {{"header.i", "@mail-router.example.net"}}, "", "good signature"),
           method("dkim", "fail", {{"header.i", "@newyork.example.com"}}, "", "bad signature")}}));
}

TEST(AuthResultsParse, B7CommentHeavy) {
  auto r = parse(
      " foo.example.net (foobar) 1 (baz);\r\n"
      "    dkim (Because I like it) / 1 (One yay) = (wait for it) fail\r\n"
      "      policy (A dot can go here) . (like that) expired\r\n"
      "      (this surprised me) = (as I wasn't expecting it) 1362471462");
  ASSERT_TRUE(r.ok()) << r.error().message;
  MethodResult dkim = method("dkim", "fail", {{"policy.expired", "1362471462"}},
                             "Because I like it One yay wait for it A dot can go here like that "
                             "this surprised me as I wasn't expecting it");
  dkim.version = "1";
  EXPECT_EQ(*r, (AuthResults{"foo.example.net", {dkim}}));
}

TEST(AuthResultsParse, CaseOfKeywordsIsFolded) {
  auto r = parse(" MX.Example.Org; DMARC=Fail (P=Reject) Header.From=Example.COM");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r,
            (AuthResults{"MX.Example.Org",
                         {method("dmarc", "fail", {{"header.from", "Example.COM"}}, "P=Reject")}}));
}

TEST(AuthResultsParse, NestedCommentsAndQuotedLocalPart) {
  auto r =
      parse("a.example; auth=pass (cram-md5 (inner) \\) x) smtp.auth=\"john doe\"@example.net;");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, (AuthResults{"a.example",
                             {method("auth", "pass", {{"smtp.auth", "\"john doe\"@example.net"}},
                                     "cram-md5 (inner) ) x")}}));
}

TEST(AuthResultsParse, RoundTrip) {
  AuthResults ar{
      "mx.example.org",
      {method("dkim", "pass", {{"header.d", "example.org"}, {"header.s", "s1"}}),
       method("spf", "fail", {{"smtp.mailfrom", "bounce+x=y@lists.example.com"}},
              "192.0.2.1 is not allowed"),
       method("dmarc", "fail", {{"header.from", "example.com"}}, "p=reject dis=quarantine"),
       method("arc", "none")}};
  auto back = reparse(render(ar));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, ar);
}

// ---- parse: what must be refused ----

void expect_invalid(std::string_view value, std::string_view words) {
  auto r = parse(value);
  ASSERT_FALSE(r.ok()) << value;
  EXPECT_EQ(r.error().kind, ErrorKind::invalid);
  EXPECT_EQ(r.error().message, words) << value;
}

TEST(AuthResultsParse, MalformedInputsGiveCleanErrors) {
  expect_invalid("", "the authserv-id is missing");
  expect_invalid("   ", "the authserv-id is missing");
  expect_invalid("example.com", "after the authserv-id: the field ends early");
  expect_invalid("example.com dkim=pass", "after the authserv-id: ';' expected");
  expect_invalid("example.com;", "a method name is missing");
  expect_invalid("example.com; dkim=pass (unclosed", "a comment is not closed");
  expect_invalid("example.com; dkim=pass (a \\", "a comment is not closed");
  expect_invalid("example.com; dkim=pass )", "method dkim: unexpected ')'");
  expect_invalid("\"example.com; none", "a quoted-string is not closed");
  expect_invalid("example.com; dkim", "method dkim: the field ends early");
  expect_invalid("example.com; dkim pass", "method dkim: '=' expected");
  expect_invalid("example.com; dkim=", "method dkim: result is missing");
  expect_invalid("example.com; dkim/=pass", "method dkim: version is missing");
  expect_invalid("example.com; dkim=pass header",
                 "method dkim: property header: the field ends early");
  expect_invalid("example.com; dkim=pass header.=x", "method dkim: property header. has no name");
  expect_invalid("example.com; dkim=pass header.d",
                 "method dkim: property header.d: the field ends early");
  expect_invalid("example.com; dkim=pass header.d=", "header.d has no value");
  expect_invalid("example.com; dkim=pass header.d=;", "header.d has no value");
  expect_invalid("example.com 2; none", "Authentication-Results version 2 is not supported");
  expect_invalid("example.com 0; none", "Authentication-Results version 0 is not supported");
  expect_invalid("example.com; none; dkim=pass", "text after \"none\" in Authentication-Results");
  expect_invalid(std::string_view("example.com; dkim=pass\0", 23),
                 "Authentication-Results holds control character 0x00");
  expect_invalid("example.com; dkim=\x01pass",
                 "Authentication-Results holds control character 0x01");
}

TEST(AuthResultsParse, HugeInputsStayLinearAndClean) {
  // Deep nesting is counted, not recursed.
  std::string deep = "example.com; dkim=pass " + std::string(1'000'000, '(');
  expect_invalid(deep, "a comment is not closed");
  deep += std::string(1'000'000, ')');
  auto nested = parse(deep);
  ASSERT_TRUE(nested.ok()) << nested.error().message;
  EXPECT_EQ(nested->results.at(0).comment.size(), 2 * 1'000'000u - 2);

  std::string many = "example.com";
  for (int i = 0; i < 20'000; ++i)
    many += "; dkim=pass header.d=d" + std::to_string(i) + ".example";
  auto r = parse(many);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->results.size(), 20'000u);
  EXPECT_EQ(r->results.back().properties.at(0).second, "d19999.example");
}

// ---- remove_forged / find_own ----

constexpr std::string_view kForgedMessage =
    "Return-Path: <a@example.com>\r\n"
    "Authentication-Results: MX.Example.ORG; dmarc=pass\r\n"
    "  header.from=example.com\r\n"
    "Received: from x by y; Mon, 7 Dec 2026 06:00:00 +0000\r\n"
    "authentication-results: other.example; spf=pass smtp.mailfrom=x@example.com\r\n"
    "AUTHENTICATION-RESULTS: \"mx.example.org\" 1; none\r\n"
    "Authentication-Results: mx.example.org; dkim=pass (broken\r\n"
    "Authentication-Results: (c) mx.example.org.evil; none\r\n"
    "Authentication-Results: mx.example.orgx; dkim=(\r\n"
    "Subject: hi\r\n"
    "\r\n"
    "Authentication-Results: mx.example.org; none\r\n";

TEST(AuthResultsRemoveForged, RemovesOnlyFieldsOfTheGivenIdInTheHeader) {
  std::string message(kForgedMessage);
  EXPECT_EQ(remove_forged(message, "mx.example.org"), 3u);
  EXPECT_EQ(message,
            "Return-Path: <a@example.com>\r\n"
            "Received: from x by y; Mon, 7 Dec 2026 06:00:00 +0000\r\n"
            "authentication-results: other.example; spf=pass smtp.mailfrom=x@example.com\r\n"
            "Authentication-Results: (c) mx.example.org.evil; none\r\n"
            "Authentication-Results: mx.example.orgx; dkim=(\r\n"
            "Subject: hi\r\n"
            "\r\n"
            "Authentication-Results: mx.example.org; none\r\n");
  EXPECT_EQ(remove_forged(message, "mx.example.org"), 0u);
  EXPECT_FALSE(find_own(message, "mx.example.org"));
}

TEST(AuthResultsRemoveForged, NothingToRemove) {
  std::string message = "From: a@example.com\r\n\r\nAuthentication-Results: mx; none\r\n";
  const std::string before = message;
  EXPECT_EQ(remove_forged(message, "mx"), 0u);
  EXPECT_EQ(message, before);
}

TEST(AuthResultsFindOwn, TopmostOwnFieldIgnoringOthers) {
  const std::string message =
      "Authentication-Results: forger.example; dmarc=pass header.from=example.com\r\n"
      "Authentication-Results: mx.example.org; dkim=pass (broken\r\n"
      "Authentication-Results: mx.example.org;\r\n"
      " dmarc=fail (p=quarantine) header.from=example.com\r\n"
      "Authentication-Results: mx.example.org; dmarc=pass header.from=example.com\r\n"
      "\r\n"
      "body\r\n";
  auto own = find_own(message, "MX.EXAMPLE.ORG");
  ASSERT_TRUE(own);
  EXPECT_EQ(
      *own,
      (AuthResults{"mx.example.org",
                   {method("dmarc", "fail", {{"header.from", "example.com"}}, "p=quarantine")}}));
  EXPECT_FALSE(find_own(message, "other.example"));
}

TEST(AuthResultsRemoveForged, FindsFieldsBehindAMalformedLineLikeAMailReader) {
  // A line that is neither a field nor a continuation does not hide what follows it
  // (mail readers step over it): the forged field behind it goes too.
  std::string message =
      "Subject: x\r\n"
      "not a field line\r\n"
      "Authentication-Results: mx.example.org; dmarc=pass header.from=bank.test\r\n"
      "From: ceo@bank.test\r\n"
      "\r\n"
      "Authentication-Results: mx.example.org; in the body, kept\r\n";
  EXPECT_EQ(remove_forged(message, "mx.example.org"), 1u);
  EXPECT_EQ(message,
            "Subject: x\r\nnot a field line\r\nFrom: ceo@bank.test\r\n\r\n"
            "Authentication-Results: mx.example.org; in the body, kept\r\n");
  EXPECT_FALSE(find_own(message, "mx.example.org"));
}

}  // namespace
}  // namespace postamt::mailauth
