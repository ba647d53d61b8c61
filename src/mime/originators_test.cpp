#include "mime/originators.h"

#include <gtest/gtest.h>

namespace postamt::mime {
namespace {

using V = std::vector<std::string>;

TEST(OriginatorFields, ListsEveryMailboxOfEveryOriginatorField) {
  EXPECT_TRUE(originator_fields("Subject: x\r\n\r\nFrom: body@x.test\r\n").empty());
  auto fields = originator_fields(
      "From: Alice <alice@example.org>, bob@example.org\r\nTo: t@x.test\r\n"
      "Reply-To: list@x.test\r\nfrom: team: c@x.test, d@x.test;\r\nSender: s@x.test\r\n"
      "Resent-From: r@x.test\r\nResent-Sender: rs@x.test\r\n\r\nFrom: body@x.test\r\n");
  ASSERT_EQ(fields.size(), 5u);
  EXPECT_EQ(fields[0].name, "From");
  EXPECT_EQ(fields[0].addresses, (V{"alice@example.org", "bob@example.org"}));
  EXPECT_EQ(fields[1].name, "from");
  EXPECT_EQ(fields[1].addresses, (V{"c@x.test", "d@x.test"}));
  EXPECT_EQ(fields[2].name, "Sender");
  EXPECT_EQ(fields[3].name, "Resent-From");
  EXPECT_EQ(fields[3].addresses, V{"r@x.test"});
  EXPECT_EQ(fields[4].name, "Resent-Sender");
  for (const auto& f : fields) EXPECT_TRUE(f.other_addresses.empty()) << f.name;
}

// Lines a strict parser stops at but readers step over do not hide a field: a folded
// first line (it would fold into the Received field the server prepends), a line
// without a colon, an 8-bit field name.
TEST(OriginatorFields, ReadsTheHeaderLikeALenientReader) {
  auto names = [](std::string_view message) {
    V out;
    for (const auto& f : originator_fields(message))
      out.push_back(f.name + "=" + f.addresses.at(0));
    return out;
  };
  EXPECT_EQ(names("\tvia x\r\nFrom: ceo@corp.test\r\n\r\nhi\r\n"), V{"From=ceo@corp.test"});
  EXPECT_EQ(names("Subject: s\r\nnot a field\r\nFrom: ceo@corp.test\r\n\r\n"),
            V{"From=ceo@corp.test"});
  EXPECT_EQ(names("X-\xc3\x84: 1\r\nSender: ceo@corp.test\n\n"), V{"Sender=ceo@corp.test"});
  EXPECT_EQ(names("From:\r\n ceo@corp.test\r\n\r\n"), V{"From=ceo@corp.test"});
  EXPECT_EQ(names("Subject: s\r\n\r\nFrom: body@corp.test\r\n"), V{});
}

// Addresses spelled in display names, comments or encoded words, other than the
// mailbox's own: what a reader may take for the sender.
TEST(OriginatorFields, FindsOtherAddressesInNamesAndComments) {
  auto other = [](std::string_view from) {
    auto fields = originator_fields("From: " + std::string(from) + "\r\n\r\n");
    EXPECT_EQ(fields.size(), 1u);
    return fields.empty() ? V{} : fields[0].other_addresses;
  };
  EXPECT_EQ(other("\"bob@example.test\" <alice@example.test>"), V{"bob@example.test"});
  EXPECT_EQ(other("alice@example.test (bob@example.test)"), V{"bob@example.test"});
  EXPECT_EQ(other("Alice (via bob@example.test) <alice@example.test>"), V{"bob@example.test"});
  EXPECT_EQ(other("=?utf-8?q?bob=40example.test?= <alice@example.test>"), V{"bob@example.test"});
  // An address that contains the real one is another address.
  EXPECT_EQ(other("\"audit@corp.test\" <it@corp.test>"), V{"audit@corp.test"});
  EXPECT_EQ(other("\"it@corp.test.evil.example\" <it@corp.test>"), V{"it@corp.test.evil.example"});
  // A quoted-pair, a quoted local part, invisible and fullwidth characters.
  EXPECT_EQ(other("alice@example.test (bob\\@example.test)"), V{"bob@example.test"});
  EXPECT_EQ(other("\"\\\"bob\\\"@example.test\" <alice@example.test>"), V{"bob@example.test"});
  EXPECT_EQ(other("\"bob@\xe2\x80\x8b"
                  "example.test\" <alice@example.test>"),
            V{"bob@example.test"});
  EXPECT_EQ(other("\"bob\xef\xbc\xa0"
                  "Example.test\" <alice@example.test>"),
            V{"bob@example.test"});
  // Each other address once; the mailbox's own, in any case or quoting, is not other.
  EXPECT_EQ(other("\"bob@x.test, BOB@x.test\" <alice@example.test>"), V{"bob@x.test"});
  EXPECT_EQ(other("\"Bob@Example.Test\" <bob@example.test>"), V{});
  EXPECT_EQ(other("\"Alice\" <alice@example.test>"), V{});
  EXPECT_EQ(other("\"a b\"@example.test"), V{});
  EXPECT_EQ(other("Alice at home <alice@example.test>"), V{});
}

TEST(OriginatorFields, CountsTheValueOctets) {
  auto fields = originator_fields("From: a@x.test,\r\n b@x.test\r\n\r\n");
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields[0].value_octets, std::string(" a@x.test, b@x.test").size());
}

}  // namespace
}  // namespace postamt::mime
