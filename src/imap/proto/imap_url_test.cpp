// IMAP URLs as CATENATE takes them (RFC 4469 §3, RFC 5092 §6): the forms of RFC 4469's
// examples, keywords in any case, %-decoding, and what is refused.
#include "imap/proto/imap_url.h"

#include <gtest/gtest.h>

namespace postamt::imap::proto {
namespace {

TEST(ImapUrl, RelativeMessageAndPartUrls) {
  auto whole = parse_imap_url("/Drafts;UIDVALIDITY=385759045/;UID=30");
  ASSERT_TRUE(whole) << whole.error().message;
  EXPECT_EQ(whole->mailbox, "Drafts");
  EXPECT_EQ(whole->uid_validity, 385759045u);
  EXPECT_EQ(whole->uid, 30u);
  EXPECT_FALSE(whole->section);
  EXPECT_FALSE(whole->partial);

  auto header = parse_imap_url("/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER");
  ASSERT_TRUE(header);
  EXPECT_EQ(header->section->text, SectionText::header);
  auto mime = parse_imap_url("/Drafts;UIDVALIDITY=385759045/;UID=20/;SECTION=1.MIME");
  ASSERT_TRUE(mime);
  EXPECT_EQ(mime->section->part, std::vector<uint32_t>{1});
  EXPECT_EQ(mime->section->text, SectionText::mime);

  auto fields = parse_imap_url("/INBOX/;uid=7/;SECTION=HEADER.FIELDS%20(From%20To)/;PARTIAL=0.100");
  ASSERT_TRUE(fields) << fields.error().message;
  EXPECT_FALSE(fields->uid_validity);
  EXPECT_EQ(fields->section->fields, (std::vector<std::string>{"From", "To"}));
  EXPECT_EQ(fields->partial, (Partial{0, 100}));

  auto selected = parse_imap_url(";UID=5/;PARTIAL=10");
  ASSERT_TRUE(selected);
  EXPECT_FALSE(selected->mailbox);
  EXPECT_EQ(selected->uid, 5u);
  EXPECT_EQ(selected->partial, (Partial{10, 0}));

  auto encoded = parse_imap_url("/Archive%2F2024%20%C3%84pfel/;UID=1");
  ASSERT_TRUE(encoded);
  EXPECT_EQ(encoded->mailbox, "Archive/2024 \xC3\x84pfel");
}

TEST(ImapUrl, WhatIsRefused) {
  for (const char* url :
       {"", "imap://alice@example.org/INBOX/;UID=1", "//example.org/INBOX/;UID=1", "/INBOX",
        "/INBOX/", "/INBOX/;UID=0", "/INBOX/;UID=x", "/INBOX/;UID=", "/INBOX;UIDVALIDITY=0/;UID=1",
        "/;UID=1", "/INBOX/;UID=1/;SECTION=1.BAD", "/INBOX/;UID=1/;PARTIAL=1.0",
        "/INBOX/;UID=1/;FOO=2", "/INBOX/;UID=1junk", "/IN%2BOX%/;UID=1", "/IN%zzBOX/;UID=1",
        "INBOX/;UID=1", "/INBOX/;UID=99999999999", "/INBOX?SUBJECT%20x"}) {
    auto r = parse_imap_url(url);
    EXPECT_FALSE(r) << url;
    if (!r) {
      EXPECT_EQ(r.error().kind, ErrorKind::invalid);
    }
  }
}

}  // namespace
}  // namespace postamt::imap::proto
