#include "mime/address.h"

#include <gtest/gtest.h>

#include "mime/header.h"

namespace postamt::mime {
void PrintTo(const Mailbox& m, std::ostream* os) {
  *os << "{name=" << m.name << " route=" << m.route << " local=" << m.local_part
      << " domain=" << m.domain << "}";
}

namespace {

Mailbox mb(std::string name, std::string local, std::string domain, std::string route = "") {
  return Mailbox{std::move(name), std::move(route), std::move(local), std::move(domain)};
}

TEST(AddressList, MailboxesNamesAndComments) {
  auto list = parse_address_list(
      "\"Doe, John\" <john@example.com>, jane@example.org (Jane Roe),\r\n"
      " =?utf-8?Q?J=C3=BCrgen?= <j@x.de>, John Q. Public <jqp@x>");
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(std::get<Mailbox>(list[0]), mb("Doe, John", "john", "example.com"));
  EXPECT_EQ(std::get<Mailbox>(list[1]), mb("Jane Roe", "jane", "example.org"));
  EXPECT_EQ(std::get<Mailbox>(list[2]), mb("J\xC3\xBCrgen", "j", "x.de"));
  EXPECT_EQ(std::get<Mailbox>(list[3]), mb("John Q. Public", "jqp", "x"));
}

TEST(AddressList, RawNamesForEnvelope) {
  auto list = parse_address_list("=?utf-8?Q?J=C3=BCrgen?= <j@x.de>", NameDecoding::raw);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(std::get<Mailbox>(list[0]).name, "=?utf-8?Q?J=C3=BCrgen?=");
}

TEST(AddressList, GroupsRoutesQuotedLocalParts) {
  auto list = parse_address_list(
      "A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;, "
      "Undisclosed recipients:;, <@r1.test,@r2.test:\"john doe\"@[1.2.3.4]>");
  ASSERT_EQ(list.size(), 3u);
  const Group& g = std::get<Group>(list[0]);
  EXPECT_EQ(g.name, "A Group");
  EXPECT_EQ(g.members,
            (std::vector<Mailbox>{mb("Ed Jones", "c", "a.test"), mb("", "joe", "where.test"),
                                  mb("John", "jdoe", "one.test")}));
  EXPECT_EQ(std::get<Group>(list[1]), (Group{"Undisclosed recipients", {}}));
  const Mailbox& routed = std::get<Mailbox>(list[2]);
  EXPECT_EQ(routed, mb("", "john doe", "[1.2.3.4]", "@r1.test,@r2.test"));
  EXPECT_EQ(routed.addr_spec(), "\"john doe\"@[1.2.3.4]");
}

TEST(AddressList, ObsoleteAndBroken) {
  // RFC 5322 §4.4: CFWS around dots in obs-local-part / obs-domain.
  auto list = parse_address_list("john . doe @ example . com, , <>, nodomain");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(std::get<Mailbox>(list[0]), mb("", "john.doe", "example.com"));
  EXPECT_EQ(std::get<Mailbox>(list[1]), mb("", "nodomain", ""));
  EXPECT_TRUE(parse_address_list("").empty());
  EXPECT_TRUE(parse_address_list("(only a comment)").empty());
}

TEST(AddressStrict, AddrSpec) {
  auto ok = parse_addr_spec_strict("first.last@example.com");
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, mb("", "first.last", "example.com"));
  auto quoted = parse_addr_spec_strict("\"a b\\\"c\"@[10.0.0.1]");
  ASSERT_TRUE(quoted);
  EXPECT_EQ(quoted->local_part, "a b\"c");
  EXPECT_EQ(quoted->domain, "[10.0.0.1]");
  for (std::string bad : {"", "a", "@x", "a@", ".a@x", "a..b@x", "a@x..y", "a b@x", "a@x y",
                          "a@x\r\n", "\"a\nb\"@x", "(c)a@x", "a@[x"}) {
    auto r = parse_addr_spec_strict(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().kind, ErrorKind::invalid);
    }
  }
}

TEST(AddressStrict, Mailbox) {
  auto a = parse_mailbox_strict(" \"Jo Doe\" <jo@x.test> (work)");
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, mb("Jo Doe", "jo", "x.test"));
  auto b = parse_mailbox_strict("=?utf-8?Q?=C3=A9?= <e@x>");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->name, "\xC3\xA9");
  auto c = parse_mailbox_strict("bare@x.test");
  ASSERT_TRUE(c);
  EXPECT_EQ(*c, mb("", "bare", "x.test"));
  for (std::string bad : {"a@x, b@y", "<a@x> <b@y>", "G: a@x;", "<>", "<a@x", "Name a@x", "<a@@x>"})
    EXPECT_FALSE(parse_mailbox_strict(bad)) << bad;
}

TEST(AddressFormat, QuotesEncodesAndRefusesInjection) {
  EXPECT_EQ(*format_mailbox(mb("", "a", "x.test")), "a@x.test");
  EXPECT_EQ(*format_mailbox(mb("Jo Doe", "a", "x.test")), "Jo Doe <a@x.test>");
  EXPECT_EQ(*format_mailbox(mb("Doe, Jo \"JD\"", "a", "x.test")),
            "\"Doe, Jo \\\"JD\\\"\" <a@x.test>");
  EXPECT_EQ(*format_mailbox(mb("J\xC3\xBCrgen", "a", "x.test")),
            "=?UTF-8?B?SsO8cmdlbg==?= <a@x.test>");
  EXPECT_EQ(*format_mailbox(mb("Evil\r\nBcc: victim@x", "a", "x.test")),
            "\"Evil  Bcc: victim@x\" <a@x.test>");
  EXPECT_EQ(*format_mailbox(mb("", "a b", "x.test")), "\"a b\"@x.test");
  EXPECT_FALSE(format_mailbox(mb("", "a\r\nb", "x.test")));
  EXPECT_FALSE(format_mailbox(mb("", "a", "x.test\r\nBcc: y")));
  EXPECT_FALSE(format_mailbox(mb("", "", "x.test")));
  EXPECT_FALSE(format_mailbox(mb("", "a", "")));
}

// Found by mime_parser_fuzz: the lenient list parser keeps 8-bit octets as they are,
// and format_mailbox wrote a local part that is not UTF-8 into a generated header
// (a receipt's To), which parse_mailbox_strict and RFC 6532 then refuse.
TEST(AddressFormat, RefusesAddressesThatAreNotUtf8) {
  auto parsed = parse_address_list(
      "attachment \xA9"
      "attachment@user");
  ASSERT_EQ(parsed.size(), 1u);
  const Mailbox& lenient = std::get<Mailbox>(parsed[0]);
  EXPECT_EQ(lenient.local_part,
            "attachment \xA9"
            "attachment");
  EXPECT_FALSE(format_mailbox(lenient));
  EXPECT_FALSE(format_mailbox(mb("", "a\xC3", "x.test")));
  EXPECT_FALSE(format_mailbox(mb("", "a", "x\xFF.test")));
  // UTF-8 (RFC 6532) stays allowed, and what is written reads back strictly.
  auto utf8 = format_mailbox(mb("", "j\xC3\xBCrgen", "b\xC3\xBCro.test"));
  ASSERT_TRUE(utf8);
  auto back = parse_mailbox_strict(*utf8);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->local_part, "j\xC3\xBCrgen");
  EXPECT_EQ(back->domain, "b\xC3\xBCro.test");
}

TEST(HeaderSafeText, ControlsBecomeSpaces) {
  EXPECT_EQ(header_safe_text("bob@x\r\nBcc: evil\t\x7f"), "bob@x  Bcc: evil  ");
  EXPECT_EQ(header_safe_text("plain"), "plain");
}

}  // namespace
}  // namespace postamt::mime
