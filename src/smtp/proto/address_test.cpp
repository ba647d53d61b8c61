#include "smtp/proto/address.h"

#include <gtest/gtest.h>

namespace postamt::smtp::proto {
namespace {

Mailbox path_ok(std::string_view text, PathRole role = PathRole::forward,
                Utf8Addresses utf8 = Utf8Addresses::rejected) {
  auto r = parse_path(text, role, utf8);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().detail);
  if (!r) return {};
  EXPECT_EQ(r->length, text.size()) << text;
  return r->mailbox;
}

CommandError path_fail(std::string_view text, PathRole role = PathRole::forward,
                       Utf8Addresses utf8 = Utf8Addresses::rejected) {
  auto r = parse_path(text, role, utf8);
  EXPECT_FALSE(r.ok()) << text;
  if (r) return {};
  return r.error();
}

TEST(Path, PlainMailbox) {
  EXPECT_EQ(path_ok("<alice@example.com>"), (Mailbox{"alice", "example.com"}));
  EXPECT_EQ(path_ok("<Al.Ice+tag@Sub.Example.COM>"), (Mailbox{"Al.Ice+tag", "Sub.Example.COM"}));
}

TEST(Path, LengthStopsAtCloseSoParamsFollow) {
  auto r = parse_path("<a@b.c> SIZE=10", PathRole::reverse, Utf8Addresses::rejected);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->length, 7u);
}

TEST(Path, NullReversePathOnlyForReverse) {
  Mailbox m = path_ok("<>", PathRole::reverse);
  EXPECT_TRUE(m.is_null());
  EXPECT_EQ(path_fail("<>").detail, "Syntax error in forward-path: empty path");
}

TEST(Path, PostmasterWithoutDomainOnlyInForward) {
  EXPECT_EQ(path_ok("<Postmaster>"), (Mailbox{"Postmaster", ""}));
  EXPECT_EQ(path_fail("<postmaster>", PathRole::reverse).detail,
            "Syntax error in reverse-path: missing \"@domain\"");
  EXPECT_EQ(path_fail("<bob>").detail, "Syntax error in forward-path: missing \"@domain\"");
}

TEST(Path, QuotedLocalPartIsUnquoted) {
  EXPECT_EQ(path_ok("<\"john doe\"@example.com>"), (Mailbox{"john doe", "example.com"}));
  EXPECT_EQ(path_ok("<\"a\\\"b>c\\\\\"@example.com>"), (Mailbox{"a\"b>c\\", "example.com"}));
  EXPECT_EQ(path_ok("<\"\"@example.com>"), (Mailbox{"", "example.com"}));
  EXPECT_EQ(path_fail("<\"abc@example.com>").kind, CommandErrorKind::syntax);
  EXPECT_EQ(path_fail("<\"a\"b@example.com>").detail,
            "Syntax error in forward-path: bad local part");
}

TEST(Path, ToStringRequotesWhenNeeded) {
  EXPECT_EQ((Mailbox{"john doe", "example.com"}).to_string(), "\"john doe\"@example.com");
  EXPECT_EQ((Mailbox{"a\"b", "x.org"}).to_string(), "\"a\\\"b\"@x.org");
  EXPECT_EQ((Mailbox{"a.b", "x.org"}).to_string(), "a.b@x.org");
  EXPECT_EQ((Mailbox{"a..b", "x.org"}).to_string(), "\"a..b\"@x.org");
  EXPECT_EQ((Mailbox{"postmaster", ""}).to_string(), "postmaster");
  EXPECT_EQ(Mailbox{}.to_string(), "");
}

TEST(Path, BadDotStrings) {
  EXPECT_EQ(path_fail("<.a@b.c>").detail, "Syntax error in forward-path: bad local part");
  EXPECT_EQ(path_fail("<a.@b.c>").detail, "Syntax error in forward-path: bad local part");
  EXPECT_EQ(path_fail("<a..b@b.c>").detail, "Syntax error in forward-path: bad local part");
  EXPECT_EQ(path_fail("<a b@b.c>").detail, "Syntax error in forward-path: bad local part");
  EXPECT_EQ(path_fail("<a(b)@b.c>").detail, "Syntax error in forward-path: bad local part");
}

TEST(Path, Domains) {
  EXPECT_EQ(path_fail("<a@>").detail, "Syntax error in forward-path: bad domain");
  EXPECT_EQ(path_fail("<a@-x.org>").detail, "Syntax error in forward-path: bad domain");
  EXPECT_EQ(path_fail("<a@x-.org>").detail, "Syntax error in forward-path: bad domain");
  EXPECT_EQ(path_fail("<a@x..org>").detail, "Syntax error in forward-path: bad domain");
  EXPECT_EQ(path_fail("<a@x.org.>").detail, "Syntax error in forward-path: bad domain");
  EXPECT_EQ(path_fail("<a@x_y.org>").detail, "Syntax error in forward-path: bad domain");
  EXPECT_EQ(path_fail("<a@b@c.org>").detail, "Syntax error in forward-path: bad domain");
  EXPECT_EQ(path_ok("<a@x-y.3com.org>").domain, "x-y.3com.org");
  EXPECT_FALSE(is_domain(std::string(64, 'a') + ".org", Utf8Addresses::rejected));
  EXPECT_TRUE(is_domain(std::string(63, 'a') + ".org", Utf8Addresses::rejected));
}

TEST(Path, AddressLiterals) {
  EXPECT_EQ(path_ok("<a@[192.0.2.1]>").domain, "[192.0.2.1]");
  EXPECT_EQ(path_ok("<a@[IPv6:2001:db8::1]>").domain, "[IPv6:2001:db8::1]");
  EXPECT_TRUE(is_address_literal("[IPv6:1:2:3:4:5:6:7:8]"));
  EXPECT_TRUE(is_address_literal("[IPv6:::]"));
  EXPECT_TRUE(is_address_literal("[IPv6:::1]"));
  EXPECT_TRUE(is_address_literal("[IPv6:1::]"));
  EXPECT_TRUE(is_address_literal("[IPv6:::ffff:192.0.2.1]"));
  EXPECT_TRUE(is_address_literal("[IPv6:1:2:3:4:5:6:192.0.2.1]"));
  EXPECT_FALSE(is_address_literal("[IPv6:1:2:3:4:5:6:7]"));      // 7 groups, no "::"
  EXPECT_FALSE(is_address_literal("[IPv6:1:2:3:4:5:6:7:8:9]"));  // 9 groups
  EXPECT_FALSE(is_address_literal("[IPv6:1:2:3:4::5:6:7]"));     // "::" stands for < 2 groups
  EXPECT_FALSE(is_address_literal("[IPv6:1::2::3]"));
  EXPECT_FALSE(is_address_literal("[IPv6:12345::]"));
  EXPECT_FALSE(is_address_literal("[IPv6:g::]"));
  EXPECT_FALSE(is_address_literal("[IPv6:1:2:3:4:5:6:7:192.0.2.1]"));
  EXPECT_FALSE(is_address_literal("[256.0.0.1]"));
  EXPECT_FALSE(is_address_literal("[1.2.3]"));
  EXPECT_FALSE(is_address_literal("[1.2.3.4.5]"));
  EXPECT_FALSE(is_address_literal("[1.2.3.0004]"));
  EXPECT_FALSE(is_address_literal("[x-tag:abc]"));
  EXPECT_EQ(path_fail("<a@[1.2.3.4>").detail, "Syntax error in forward-path: bad domain");
}

TEST(Path, SourceRouteIsCheckedAndDropped) {
  EXPECT_EQ(path_ok("<@a.example,@b.example:joe@c.example>"), (Mailbox{"joe", "c.example"}));
  EXPECT_EQ(path_fail("<@a.example,b.example:joe@c.example>").detail,
            "Syntax error in forward-path: bad source route");
  EXPECT_EQ(path_fail("<@a.example joe@c.example>").detail,
            "Syntax error in forward-path: bad source route");
  EXPECT_EQ(path_fail("<@a.example:postmaster>").detail,
            "Syntax error in forward-path: missing \"@domain\"");
}

TEST(Path, Limits) {
  std::string local64(64, 'l');
  EXPECT_EQ(path_ok("<" + local64 + "@x.org>").local_part, local64);
  EXPECT_EQ(path_fail("<" + local64 + "l@x.org>").detail,
            "Syntax error in forward-path: local part longer than 64 octets");
  // A quoted local part counts its quotes.
  EXPECT_EQ(path_fail("<\"" + std::string(63, 'q') + "\"@x.org>").detail,
            "Syntax error in forward-path: local part longer than 64 octets");

  // 255-octet domain of 63-octet labels: 4 labels of 63 + 3 dots = 255.
  std::string label(63, 'd');
  std::string domain255 = label + "." + label + "." + label + "." + label;
  ASSERT_EQ(domain255.size(), 255u);
  // <a@ + 255 + > = 259 > 256: the path limit bites first.
  EXPECT_EQ(path_fail("<a@" + domain255 + ">").detail,
            "Syntax error in forward-path: path longer than 256 octets");
  std::string domain252 = domain255.substr(0, 252);
  EXPECT_EQ(path_ok("<a@" + domain252 + ">").domain, domain252);  // exactly 256 octets
  EXPECT_EQ(path_fail("<ab@" + domain252 + ">").detail,
            "Syntax error in forward-path: path longer than 256 octets");
  EXPECT_FALSE(is_domain(domain255 + "x", Utf8Addresses::rejected));
}

TEST(Path, Utf8OnlyWhenAccepted) {
  std::string path = "<J\xc3\xb6rg@b\xc3\xbc\x63her.example>";
  EXPECT_EQ(path_fail(path).kind, CommandErrorKind::non_ascii_recipient);
  EXPECT_EQ(path_fail(path, PathRole::reverse).kind, CommandErrorKind::non_ascii_sender);
  EXPECT_EQ(path_ok(path, PathRole::forward, Utf8Addresses::accepted),
            (Mailbox{"J\xc3\xb6rg", "b\xc3\xbc\x63her.example"}));
  // Malformed UTF-8: overlong, surrogate, truncated, lone continuation.
  for (const char* bad : {"<\xc0\xafx@a.org>", "<\xed\xa0\x80@a.org>", "<a\xc3@a.org>",
                          "<\x80@a.org>", "<a@\xf4\x90\x80\x80.org>"}) {
    EXPECT_EQ(path_fail(bad, PathRole::forward, Utf8Addresses::accepted).kind,
              CommandErrorKind::syntax)
        << bad;
  }
  EXPECT_EQ(
      path_ok("<\"\xe2\x82\xac x\"@a.org>", PathRole::forward, Utf8Addresses::accepted).local_part,
      "\xe2\x82\xac x");
}

TEST(Path, MissingBrackets) {
  EXPECT_EQ(path_fail("alice@example.com").detail, "Syntax error in forward-path: missing \"<\"");
  EXPECT_EQ(path_fail("<alice@example.com").detail, "Syntax error in forward-path: missing \">\"");
}

TEST(Utf8, SequenceLengths) {
  EXPECT_EQ(utf8_sequence_length("\xc3\xa4", 0), 2u);
  EXPECT_EQ(utf8_sequence_length("\xe2\x82\xac", 0), 3u);
  EXPECT_EQ(utf8_sequence_length("\xf0\x9f\x98\x80", 0), 4u);
  EXPECT_EQ(utf8_sequence_length("a", 0), 0u);
  EXPECT_EQ(utf8_sequence_length("\xc1\xbf", 0), 0u);
  EXPECT_EQ(utf8_sequence_length("\xe0\x80\x80", 0), 0u);
  EXPECT_EQ(utf8_sequence_length("\xf0\x80\x80\x80", 0), 0u);
  EXPECT_EQ(utf8_sequence_length("\xf5\x80\x80\x80", 0), 0u);
  EXPECT_EQ(utf8_sequence_length("\xe2\x82", 0), 0u);
}

}  // namespace
}  // namespace postamt::smtp::proto
