#include "imap/proto/mailbox_name.h"

#include <gtest/gtest.h>

namespace postamt::imap::proto {
namespace {

TEST(ImapMailboxName, DecodesRfc3501Example) {
  // RFC 3501 §5.1.3: "~peter/mail/&U,BTFw-/&ZeVnLIqe-" is ~peter/mail/台北/日本語.
  auto d = decode_mutf7("~peter/mail/&U,BTFw-/&ZeVnLIqe-");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, "~peter/mail/\xE5\x8F\xB0\xE5\x8C\x97/\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E");
}

TEST(ImapMailboxName, RoundTrips) {
  for (std::string utf8 : {std::string("INBOX"), std::string("Entw\xC3\xBCrfe"), std::string("a&b"),
                           std::string("\xF0\x9F\x93\xAC mail"),
                           std::string("\xC3\xA4\xC3\xB6\xC3\xBC"), std::string("tab\there")}) {
    auto enc = encode_mutf7(utf8);
    ASSERT_TRUE(enc.ok()) << utf8;
    auto dec = decode_mutf7(*enc);
    ASSERT_TRUE(dec.ok()) << *enc;
    EXPECT_EQ(*dec, utf8);
  }
}

TEST(ImapMailboxName, EncodesExactForms) {
  EXPECT_EQ(*encode_mutf7("Entw\xC3\xBCrfe"), "Entw&APw-rfe");
  EXPECT_EQ(*encode_mutf7("a&b"), "a&-b");
  // U+1F4EC (a surrogate pair in UTF-16) followed by ASCII.
  EXPECT_EQ(*encode_mutf7("\xF0\x9F\x93\xAC mail"), "&2D3c7A- mail");
  EXPECT_EQ(*encode_mutf7("\xE5\x8F\xB0\xE5\x8C\x97"), "&U,BTFw-");
  EXPECT_FALSE(encode_mutf7("\xC3").ok());
}

TEST(ImapMailboxName, RejectsInvalidSequences) {
  for (const char* bad : {
           "&",            // unterminated shift
           "&U,BTFw",      // no closing "-"
           "&AGE-",        // encodes printable "a"
           "&APw-&APw-",   // null shift between two runs
           "&A-",          // partial UTF-16 unit
           "&APx-",        // non-zero padding bits
           "&2D0-",        // lone high surrogate
           "&3AA-",        // lone low surrogate
           "&AP*-",        // not modified base64
           "caf\xC3\xA9",  // raw 8-bit
           "a\tb",         // raw control character
       }) {
    EXPECT_FALSE(decode_mutf7(bad).ok()) << bad;
  }
}

TEST(ImapMailboxName, NormalisesInbox) {
  EXPECT_EQ(*mailbox_from_wire("inbox", MailboxEncoding::modified_utf7), "INBOX");
  EXPECT_EQ(*mailbox_from_wire("InBoX", MailboxEncoding::utf8), "INBOX");
  EXPECT_EQ(*mailbox_from_wire("inbox/sub", MailboxEncoding::modified_utf7), "inbox/sub");
  EXPECT_EQ(*mailbox_from_wire("Entw&APw-rfe", MailboxEncoding::modified_utf7), "Entw\xC3\xBCrfe");
  // After UTF8=ACCEPT, "&" is an ordinary character and names are UTF-8 as sent.
  EXPECT_EQ(*mailbox_from_wire("Entw&APw-rfe", MailboxEncoding::utf8), "Entw&APw-rfe");
  EXPECT_FALSE(mailbox_from_wire("\xFF", MailboxEncoding::utf8).ok());
  EXPECT_EQ(*mailbox_to_wire("Entw\xC3\xBCrfe", MailboxEncoding::utf8), "Entw\xC3\xBCrfe");
  EXPECT_EQ(*mailbox_to_wire("Entw\xC3\xBCrfe", MailboxEncoding::modified_utf7), "Entw&APw-rfe");
}

TEST(ImapMailboxName, Utf8Validation) {
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("\xE2\x82\xAC"));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));          // truncated
}

}  // namespace
}  // namespace postamt::imap::proto
