#include "mail/sort_keys.h"

#include <gtest/gtest.h>

#include <vector>

namespace postamt::mail {
namespace {

// RFC 5256 §2.1, each step on its own and together.
TEST(BaseSubject, StepsOfRfc5256) {
  struct Case {
    std::string_view raw;
    std::string_view base;
    bool reply;
  };
  const Case cases[] = {
      {"hello", "hello", false},
      {"", "", false},
      {"Re: hello", "hello", true},
      {"Re:", "", true},
      // (1) whitespace: tabs and folds become one space each run.
      {"  \t hello\r\n\tworld  ", "hello world", false},
      // (2) trailers, repeatedly; "(fwd)" makes a forward.
      {"hello (fwd) (FWD)  ", "hello", true},
      {"hello(fwd)x", "hello(fwd)x", false},
      // (3) leaders: re, fw, fwd with whitespace and a blob before the colon; any case.
      {"RE:  Re: [list] Fwd: hello", "hello", true},
      {"Re[2]: x", "x", true},
      {"Fw : x", "x", true},
      {"fwd [a]:x", "x", true},
      {"Rex: x", "Rex: x", false},
      {"Re x", "Re x", false},
      // (4) a leading blob goes unless it is all that is left.
      {"[list] hello", "hello", false},
      {"[a][b] c", "c", false},
      {"[list]", "[list]", false},
      {"[list]   ", "[list]", false},
      {"[unterminated hello", "[unterminated hello", false},
      // (6) a [fwd: ...] wrapper, then everything again.
      {"[fwd: hello world]", "hello world", true},
      {"Re: [Fwd: Re: x] (fwd)", "x", true},
      {"[fwd: ]", "", true},
      // (1) encoded words are decoded before any of it.
      {"=?utf-8?q?Re=3A_caf=C3=A9?=", "caf\xC3\xA9", true},
  };
  for (const Case& c : cases) {
    BaseSubject got = base_subject(c.raw);
    EXPECT_EQ(got.text, c.base) << c.raw;
    EXPECT_EQ(got.reply_or_forward, c.reply) << c.raw;
  }
}

// RFC 5051 §2: simple titlecase, then NFKD; octets compared.
TEST(CasemapKey, TitlecaseThenNfkd) {
  EXPECT_EQ(casemap_key("abc XYZ 09_"), "ABC XYZ 09_");
  EXPECT_EQ(casemap_key("caf\xC3\xA9"), "CAFE\xCC\x81");  // é -> É -> E + U+0301
  EXPECT_EQ(casemap_key("CAF\xC3\x89"), casemap_key("caf\xC3\xA9"));
  EXPECT_EQ(casemap_key("\xEF\xAC\x81"), "fi");      // U+FB01 has no simple titlecase
  EXPECT_EQ(casemap_key("\xC7\x86"), "Dz\xCC\x8C");  // U+01C6 -> U+01C5 -> D z U+030C
  EXPECT_EQ(casemap_key("a\xFF"
                        "b"),
            "A\xFF"
            "B");  // not UTF-8: kept
  EXPECT_EQ(casemap_key(""), "");
  // Titlecase, not folding: letters sort before '_' (0x5F), as in Dovecot and Cyrus.
  EXPECT_LT(casemap_key("a"), casemap_key("_"));
}

struct Header {
  std::string text;
  std::vector<mime::HeaderField> fields;
  explicit Header(std::string t) : text(std::move(t)), fields(mime::scan_header_block(text)) {}
  mime::HeaderView view() const { return mime::HeaderView(text, fields); }
};

TEST(SentDate, NormalisedToUtcOrTheInternalDate) {
  // RFC 5256 §2.2's own example: both are the same instant.
  Header a("Date: 31 Dec 2000 16:01:33 -0800\r\n\r\n");
  Header b("Date: Mon, 1 Jan 2001 00:01:33 +0000\r\n\r\n");
  EXPECT_EQ(sent_date(a.view(), 5), 978307293);
  EXPECT_EQ(sent_date(b.view(), 5), 978307293);
  EXPECT_EQ(sent_date(Header("Date: yesterday\r\n\r\n").view(), 5), 5);
  EXPECT_EQ(sent_date(Header("Subject: x\r\n\r\n").view(), 5), 5);
}

TEST(FirstAddress, MailboxAndDisplay) {
  Header h(
      "From: =?utf-8?q?Zo=C3=AB?= <zoe@example.org>, ann@example.org\r\n"
      "To: \"  \" <\"quoted local\"@example.org>\r\n"
      "Cc: friends: a@x.test, b@x.test;\r\n\r\n");
  EXPECT_EQ(first_address_mailbox(h.view(), "From"), "zoe");
  EXPECT_EQ(first_address_display(h.view(), "From"), "Zo\xC3\xAB");
  EXPECT_EQ(first_address_mailbox(h.view(), "To"), "quoted local");
  EXPECT_EQ(first_address_display(h.view(), "To"), "\"quoted local\"@example.org");
  EXPECT_EQ(first_address_mailbox(h.view(), "Cc"), "friends");
  EXPECT_EQ(first_address_display(h.view(), "Cc"), "friends");
  EXPECT_EQ(first_address_mailbox(h.view(), "Bcc"), "");
  EXPECT_EQ(first_address_display(h.view(), "Bcc"), "");
}

}  // namespace
}  // namespace postamt::mail
