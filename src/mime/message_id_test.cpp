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

}  // namespace
}  // namespace postamt::mime
