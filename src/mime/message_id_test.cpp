#include "mime/message_id.h"

#include <gtest/gtest.h>

namespace postamt::mime {
namespace {

TEST(MessageId, PlainAndWithCfws) {
  EXPECT_EQ(normalize_message_id("<abc.def@example.test>"), "<abc.def@example.test>");
  EXPECT_EQ(normalize_message_id(" <a@b>"), "<a@b>");
  EXPECT_EQ(normalize_message_id("\r\n\t<a@b> (comment (nested))\r\n "), "<a@b>");
  EXPECT_EQ(normalize_message_id("(x) <A.B@Example.TEST>"), "<A.B@Example.TEST>");
}

TEST(MessageId, ObsoleteQuotedLeftAndLiteralRight) {
  EXPECT_EQ(normalize_message_id("<\"abc.def\"@example.test>"), "<abc.def@example.test>");
  EXPECT_EQ(normalize_message_id("<\"a\\bc\"@x>"), "<abc@x>");
  EXPECT_EQ(normalize_message_id("<1@[192.0.2.1]>"), "<1@[192.0.2.1]>");
}

TEST(MessageId, RejectsMalformed) {
  for (std::string_view bad : {"",
                               "   ",
                               "a@b",
                               "<a@b",
                               "<ab>",
                               "<@b>",
                               "<a@>",
                               "<a b@c>",
                               "<a@b c>",
                               "<a@b> <c@d>",
                               "<a@b> x",
                               "<a..b@c>",
                               "<.a@c>",
                               "<a@b>(open",
                               "<\"a b\"@c>",
                               "<a@[x]y>",
                               "<a@b\r\nX-Injected: 1>",
                               "<a\r\n@b>",
                               "<a@b\x01>",
                               "<\xc3\xa9@b>",
                               "<a@b@c>"}) {
    EXPECT_EQ(normalize_message_id(bad), "") << bad;
  }
}

TEST(MessageId, LengthLimit) {
  const std::string left(kMaxMessageIdLength - 3, 'a');  // "<" + left + "@b>" = limit + 1
  EXPECT_EQ(normalize_message_id("<" + left + "@b>"), "");
  const std::string ok = "<" + left.substr(1) + "@b>";
  EXPECT_EQ(normalize_message_id(ok), ok);
}

TEST(MessageId, OfMessageUsesFirstTopLevelField) {
  const std::string msg =
      "From: a@b\r\nmessage-id:\r\n <first@x.test>\r\nMessage-ID: <second@x.test>\r\n\r\n"
      "Message-ID: <body@x.test>\r\n";
  EXPECT_EQ(message_id_of_message(msg), "<first@x.test>");
  EXPECT_EQ(message_id_of_message("From: a@b\n\nMessage-ID: <body@x>\n"), "");
  EXPECT_EQ(message_id_of_message("Message-ID: broken\n\n"), "");
  EXPECT_EQ(message_id_of_message(""), "");
}

TEST(MessageId, IdsInAListSkipJunkAndComments) {
  EXPECT_EQ(message_ids_in(""), std::vector<std::string>{});
  EXPECT_EQ(message_ids_in(" <a@b>\r\n\t<\"c\"@d> (<not@this>) <bad id@x> junk <e@[f]>"),
            (std::vector<std::string>{"<a@b>", "<c@d>", "<e@[f]>"}));
  // In-Reply-To as some clients write it: an address and a phrase around the id.
  EXPECT_EQ(message_ids_in("joe@x.test's message of Mon <1@x.test>"),
            std::vector<std::string>{"<1@x.test>"});
  EXPECT_EQ(message_ids_in("<a@b> <unterminated"), std::vector<std::string>{"<a@b>"});
}

std::string refs_of(const std::string& header) {
  const std::vector<HeaderField> fields = scan_header_block(header);
  return thread_references(HeaderView(header, fields));
}

TEST(MessageId, ThreadReferencesFollowRfc5256) {
  // References win over In-Reply-To; every valid id counts.
  EXPECT_EQ(refs_of("In-Reply-To: <p@x>\r\nReferences: <r1@x>\r\n <r2@x> <bad>\r\n\r\n"),
            "<r1@x> <r2@x>");
  // References without a valid id: the first valid In-Reply-To id alone.
  EXPECT_EQ(refs_of("References: junk\r\nIn-Reply-To: <p@x> <q@x>\r\n\r\n"), "<p@x>");
  EXPECT_EQ(refs_of("Subject: none\r\n\r\n"), "");
  EXPECT_EQ(refs_of("In-Reply-To: nothing valid\r\n\r\n"), "");
}

TEST(MessageId, ThreadReferencesKeepTheNewestWithinTheLimit) {
  std::string value;
  size_t count = 0;
  while (value.size() <= kMaxThreadReferencesLength + 100)
    value += " <" + std::to_string(count++) + "@example.test>";
  const std::string refs = refs_of("References:" + value + "\r\n\r\n");
  EXPECT_LE(refs.size(), kMaxThreadReferencesLength);
  EXPECT_GT(refs.size(), kMaxThreadReferencesLength - 30);
  const std::string last = "<" + std::to_string(count - 1) + "@example.test>";
  EXPECT_EQ(refs.substr(refs.size() - last.size()), last);
  EXPECT_EQ(refs.find("<0@example.test>"), std::string::npos);
}

}  // namespace
}  // namespace postamt::mime
