// The pure parts of MTA-STS (RFC 8461): policy and TXT codecs, MX matching, media type,
// the cache file.
#include "queue/mta_sts.h"

#include <gtest/gtest.h>

namespace postamt::queue::mta_sts {
namespace {

using namespace std::chrono_literals;

std::string error_of(std::string_view body) {
  auto r = parse_policy(body);
  return r ? std::string("parsed") : r.error().message;
}

TEST(MtaStsPolicy, TheRfcExample) {
  // RFC 8461 §3.2's example.
  auto p = parse_policy(
      "version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\n"
      "mx: backupmx.example.com\nmax_age: 604800\n");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->mode, Mode::enforce);
  EXPECT_EQ(p->mx, (std::vector<std::string>{"mail.example.com", "*.example.net",
                                             "backupmx.example.com"}));
  EXPECT_EQ(p->max_age, 604800s);
  EXPECT_EQ(p->id, "");
  EXPECT_EQ(p->lines, (std::vector<std::string>{"version: STSv1", "mode: enforce",
                                                "mx: mail.example.com", "mx: *.example.net",
                                                "mx: backupmx.example.com", "max_age: 604800"}));
}

TEST(MtaStsPolicy, LineEndsWhiteSpaceCaseAndExtensions) {
  // CRLF, no final line end, WSP after ":" and at the end, an mx in capitals, an
  // unknown field with UTF-8 and inner spaces, repeated fields: the first counts.
  auto p = parse_policy(
      "version:\tSTSv1 \r\nmode:   testing\r\nmx: MX1.Example.ORG\r\n"
      "x-note: caf\xC3\xA9 au lait\r\nmode: enforce\r\nmax_age: 86400\r\nmax_age: 1\r\n"
      "version: STSv2\r\n\r\nmx: mx2.example.org");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->mode, Mode::testing);
  EXPECT_EQ(p->mx, (std::vector<std::string>{"mx1.example.org", "mx2.example.org"}));
  EXPECT_EQ(p->max_age, 86400s);
  EXPECT_EQ(p->lines.size(), 9u);
  EXPECT_EQ(p->lines[0], "version: STSv1");
  EXPECT_EQ(p->lines[3], "x-note: caf\xC3\xA9 au lait");
}

TEST(MtaStsPolicy, ModeNoneNeedsNoMx) {
  auto p = parse_policy("version: STSv1\nmode: none\nmax_age: 0\n");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->mode, Mode::none);
  EXPECT_TRUE(p->mx.empty());
  EXPECT_EQ(p->max_age, 0s);
}

TEST(MtaStsPolicy, MaxAgeBounds) {
  auto at = [](std::string_view age) {
    return parse_policy(
        fmt::format("version: STSv1\nmode: enforce\nmx: a.test\nmax_age: {}\n", age));
  };
  EXPECT_EQ(at("31557600")->max_age, 31557600s);  // RFC 8461 §3.2's maximum
  EXPECT_EQ(at("31557601")->max_age, 31557600s);  // lowered to it
  EXPECT_EQ(at("9999999999")->max_age, 31557600s);
  EXPECT_EQ(at("0000000007")->max_age, 7s);
  EXPECT_EQ(at("10000000000").error().message,
            "policy line 4: max_age \"10000000000\" is not 1-10 digits");
  EXPECT_EQ(at("-1").error().message, "policy line 4: max_age \"-1\" is not 1-10 digits");
  EXPECT_EQ(at("1d").error().message, "policy line 4: max_age \"1d\" is not 1-10 digits");
}

TEST(MtaStsPolicy, Errors) {
  EXPECT_EQ(error_of(""), "policy has no version field");
  EXPECT_EQ(error_of("mode: enforce\nmx: a.test\nmax_age: 5\n"), "policy has no version field");
  EXPECT_EQ(error_of("version: STSv1\nmx: a.test\nmax_age: 5\n"), "policy has no mode field");
  EXPECT_EQ(error_of("version: STSv1\nmode: enforce\nmx: a.test\n"), "policy has no max_age field");
  EXPECT_EQ(error_of("version: STSv1\nmode: testing\nmax_age: 5\n"), "policy has no mx field");
  EXPECT_EQ(error_of("version: STSv2\nmode: enforce\n"),
            "policy line 1: version \"STSv2\" is not STSv1");
  EXPECT_EQ(error_of("version: stsv1\n"), "policy line 1: version \"stsv1\" is not STSv1");
  EXPECT_EQ(error_of("version: STSv1\nmode: Enforce\n"),
            "policy line 2: mode \"Enforce\" is not enforce, testing or none");
  EXPECT_EQ(error_of("version: STSv1\nmode enforce\n"), "policy line 2: no \":\"");
  EXPECT_EQ(error_of("version: STSv1\n mode: enforce\n"),
            "policy line 2: \" mode\" is not a field name");
  EXPECT_EQ(error_of("version: STSv1\nmx:\n"), "policy line 2: field mx has no valid value");
  EXPECT_EQ(error_of("version: STSv1\nx: a\x01z\n"), "policy line 2: field x has no valid value");
  EXPECT_EQ(error_of("version: STSv1\nx: \xC3(\n"), "policy line 2: field x has no valid value");
  EXPECT_EQ(error_of("version: STSv1\nmx: *.*.example.net\n"),
            "policy line 2: mx \"*.*.example.net\" is not a host name pattern");
  EXPECT_EQ(error_of("version: STSv1\nmx: mail.example.com.\n"),
            "policy line 2: mx \"mail.example.com.\" is not a host name pattern");
  EXPECT_EQ(error_of("version: STSv1\nmx: -a.example\n"),
            "policy line 2: mx \"-a.example\" is not a host name pattern");
  EXPECT_EQ(error_of("version: STSv1\nmx: mail example\n"),
            "policy line 2: mx \"mail example\" is not a host name pattern");
}

TEST(MtaStsTxt, Ids) {
  EXPECT_EQ(*parse_txt_id("v=STSv1; id=20160831085700Z;"), "20160831085700Z");  // §3.1
  EXPECT_EQ(*parse_txt_id("v=STSv1;id=abc"), "abc");
  EXPECT_EQ(*parse_txt_id("v=STSv1 ;\tid=abc ; ext.x-1=y/z ;"), "abc");
  EXPECT_EQ(*parse_txt_id("v=STSv1; ext=1; id=first; id=second"), "first");
  EXPECT_EQ(*parse_txt_id("v=STSv1; id=" + std::string(32, 'a')), std::string(32, 'a'));
}

TEST(MtaStsTxt, Errors) {
  auto error = [](std::string_view txt) {
    auto r = parse_txt_id(txt);
    return r ? "parsed " + *r : r.error().message;
  };
  EXPECT_EQ(error("v=STSv2; id=1"), "TXT record: does not begin with v=STSv1");
  EXPECT_EQ(error(" v=STSv1; id=1"), "TXT record: does not begin with v=STSv1");
  EXPECT_EQ(error("v=STSv1"), "TXT record: no id field");
  EXPECT_EQ(error("v=STSv1;"), "TXT record: no id field");
  EXPECT_EQ(error("v=STSv1; ext=1"), "TXT record: no id field");
  EXPECT_EQ(error("v=STSv1 id=1"), "TXT record: fields must be separated by \";\"");
  EXPECT_EQ(error("v=STSv1; id=a b"), "TXT record: fields must be separated by \";\"");
  EXPECT_EQ(error("v=STSv1; id=a-b"), "TXT record: id \"a-b\" is not 1-32 letters and digits");
  EXPECT_EQ(error("v=STSv1; id="), "TXT record: id \"\" is not 1-32 letters and digits");
  EXPECT_EQ(error("v=STSv1; id=" + std::string(33, 'a')),
            "TXT record: id \"" + std::string(33, 'a') + "\" is not 1-32 letters and digits");
  EXPECT_EQ(error("v=STSv1; id=1; x"), "TXT record: field \"x\" has no \"=\"");
  EXPECT_EQ(error("v=STSv1; id=1; _x=1"), "TXT record: \"_x\" is not a field name");
  EXPECT_EQ(error("v=STSv1; id=1; x=a=b"), "TXT record: field x has no valid value");
}

TEST(MtaStsMx, Rfc8461Section41) {
  Policy p;
  p.mx = {"mail.example.com", "*.example.net"};
  EXPECT_TRUE(mx_matches(p, "mail.example.com"));
  EXPECT_TRUE(mx_matches(p, "MAIL.Example.COM."));
  EXPECT_TRUE(mx_matches(p, "mx1.example.net"));
  EXPECT_TRUE(mx_matches(p, "MX1.example.net."));
  EXPECT_FALSE(mx_matches(p, "example.net"));          // the wildcard needs a label
  EXPECT_FALSE(mx_matches(p, "foo.bar.example.net"));  // exactly one label
  EXPECT_FALSE(mx_matches(p, ".example.net"));
  EXPECT_FALSE(mx_matches(p, "xexample.net"));
  EXPECT_FALSE(mx_matches(p, "other.example.com"));
  EXPECT_FALSE(mx_matches(p, "mail.example.com.evil"));
  EXPECT_FALSE(mx_matches(p, ""));
  EXPECT_FALSE(mx_matches(Policy{}, "mail.example.com"));
}

TEST(MtaStsMediaType, TextPlainWithAnyParameters) {
  EXPECT_TRUE(is_text_plain("text/plain"));
  EXPECT_TRUE(is_text_plain("Text/Plain; charset=utf-8"));
  EXPECT_TRUE(is_text_plain("text/plain ;charset=us-ascii; x=y"));
  EXPECT_FALSE(is_text_plain("text/html"));
  EXPECT_FALSE(is_text_plain("text/plainx"));
  EXPECT_FALSE(is_text_plain(""));
}

TEST(MtaStsDomain, Normalized) {
  EXPECT_EQ(*normalize_domain("Example.ORG."), "example.org");
  EXPECT_EQ(normalize_domain("a/b.test").error().message, "a/b.test is not an ASCII host name");
  EXPECT_FALSE(normalize_domain(".."));
  EXPECT_FALSE(normalize_domain(""));
  EXPECT_FALSE(normalize_domain("b\xC3\xBC.test"));
}

TEST(MtaStsCacheFile, RoundTripAndDamage) {
  auto p = parse_policy("version: STSv1\nmode: testing\nmx: *.example.net\nmax_age: 600\n");
  ASSERT_TRUE(p);
  p->id = "abc1";
  const std::string text = format_cache_file(*p, from_unix(1765000000));
  EXPECT_EQ(text,
            "postamt-mta-sts 1\nid: abc1\nfetched: 1765000000\n\n"
            "version: STSv1\nmode: testing\nmx: *.example.net\nmax_age: 600\n");
  auto back = parse_cache_file(text);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->policy.id, "abc1");
  EXPECT_EQ(back->policy.mx, p->mx);
  EXPECT_EQ(back->policy.lines, p->lines);
  EXPECT_EQ(to_unix(back->fetched), 1765000000);
  EXPECT_EQ(parse_cache_file("postamt-mta-sts 2\n").error().message, "cache file: unknown format");
  EXPECT_EQ(parse_cache_file(text.substr(0, 77)).error().message,
            "cache file: policy has no max_age field");
  EXPECT_EQ(parse_cache_file("postamt-mta-sts 1\nid: a-b\nfetched: 1\n\n").error().message,
            "cache file: the id is not 1-32 letters and digits");
  EXPECT_EQ(parse_cache_file("postamt-mta-sts 1\nid: a\nfetched: x\n\n").error().message,
            "cache file: fetched is not a time before 2100");
}

}  // namespace
}  // namespace postamt::queue::mta_sts
