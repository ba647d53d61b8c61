#include <gtest/gtest.h>

#include "imap/proto/response.h"

namespace postamt::imap::proto {
namespace {

std::string fetch(std::vector<FetchAttr> items, uint32_t seq = 12) {
  return encode(FetchData{seq, std::move(items)});
}

TEST(ImapEncodeFetch, SimpleItems) {
  EXPECT_EQ(fetch({FetchFlags{{"\\Seen", "$MDNSent"}}, FetchUid{4827313}, FetchSize{44827}}),
            "* 12 FETCH (FLAGS (\\Seen $MDNSent) UID 4827313 RFC822.SIZE 44827)\r\n");
  EXPECT_EQ(fetch({FetchFlags{}}), "* 12 FETCH (FLAGS ())\r\n");
  // RFC 7162 §3.1.4.1
  EXPECT_EQ(fetch({FetchUid{4}, FetchModSeq{65402}, FetchFlags{{"\\Seen"}}}, 1),
            "* 1 FETCH (UID 4 MODSEQ (65402) FLAGS (\\Seen))\r\n");
  EXPECT_EQ(fetch({FetchInternalDate{DateTime{{1996, 7, 17}, 2, 44, 25, -420}}}),
            "* 12 FETCH (INTERNALDATE \"17-Jul-1996 02:44:25 -0700\")\r\n");
  EXPECT_EQ(fetch({FetchInternalDate{DateTime{{2024, 1, 5}, 23, 0, 9, 330}}}),
            "* 12 FETCH (INTERNALDATE \" 5-Jan-2024 23:00:09 +0530\")\r\n");
}

Envelope rfc3501_envelope() {
  // RFC 3501 §8 example (FETCH 12 FULL).
  Envelope e;
  e.date = "Wed, 17 Jul 1996 02:23:25 -0700 (PDT)";
  e.subject = "IMAP4rev1 WG mtg summary and minutes";
  Address terry{"Terry Gray", std::nullopt, "gray", "cac.washington.edu"};
  e.from = {terry};
  e.sender = {terry};
  e.reply_to = {terry};
  e.to = {Address{std::nullopt, std::nullopt, "imap", "cac.washington.edu"}};
  e.cc = {Address{std::nullopt, std::nullopt, "minutes", "CNRI.Reston.VA.US"},
          Address{"John Klensin", std::nullopt, "KLENSIN", "MIT.EDU"}};
  e.message_id = "<B27397-0100000@cac.washington.edu>";
  return e;
}

TEST(ImapEncodeFetch, EnvelopeAndBodyFromRfc3501) {
  BodyStructure body;
  body.params = {{"CHARSET", "US-ASCII"}};
  body.size = 3028;
  body.lines = 92;
  EXPECT_EQ(
      fetch({FetchFlags{{"\\Seen"}}, FetchInternalDate{DateTime{{1996, 7, 17}, 2, 44, 25, -420}},
             FetchSize{4286}, FetchEnvelope{rfc3501_envelope()}, FetchBody{body, Extensible::no}}),
      "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 "
      "ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and "
      "minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL "
      "\"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
      "((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" "
      "\"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL "
      "\"<B27397-0100000@cac.washington.edu>\") BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" "
      "\"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n");
}

TEST(ImapEncodeFetch, BodyStructureMultipartAndMessage) {
  BodyStructure text;
  text.params = {{"charset", "utf-8"}};
  text.size = 10;
  text.lines = 1;
  BodyStructure att;
  att.type = "APPLICATION";
  att.subtype = "PDF";
  att.params = {{"name", "a.pdf"}};
  att.encoding = "BASE64";
  att.size = 400;
  att.disposition = Disposition{"attachment", {{"filename", "a.pdf"}}};
  att.language = {"en", "de"};
  BodyStructure inner;
  inner.size = 5;
  inner.lines = 1;
  BodyStructure msg;
  msg.type = "MESSAGE";
  msg.subtype = "RFC822";
  msg.size = 300;
  msg.lines = 12;
  msg.envelope = Envelope{};
  msg.envelope->subject = "fwd";
  msg.parts = {inner};
  BodyStructure mixed;
  mixed.type = "MULTIPART";
  mixed.subtype = "MIXED";
  mixed.params = {{"boundary", "xyz"}};
  mixed.parts = {text, att, msg};
  EXPECT_EQ(
      fetch({FetchBody{mixed, Extensible::yes}}, 3),
      "* 3 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"charset\" \"utf-8\") NIL NIL \"7BIT\" 10 1 "
      "NIL NIL NIL NIL)(\"APPLICATION\" \"PDF\" (\"name\" \"a.pdf\") NIL NIL \"BASE64\" 400 NIL "
      "(\"attachment\" (\"filename\" \"a.pdf\")) (\"en\" \"de\") NIL)(\"MESSAGE\" \"RFC822\" NIL "
      "NIL NIL \"7BIT\" 300 (NIL \"fwd\" NIL NIL NIL NIL NIL NIL NIL NIL) (\"TEXT\" \"PLAIN\" NIL "
      "NIL NIL \"7BIT\" 5 1 NIL NIL NIL NIL) 12 NIL NIL NIL NIL) \"MIXED\" (\"boundary\" \"xyz\") "
      "NIL NIL NIL))\r\n");
  EXPECT_EQ(fetch({FetchBody{mixed, Extensible::no}}, 3),
            "* 3 FETCH (BODY ((\"TEXT\" \"PLAIN\" (\"charset\" \"utf-8\") NIL NIL \"7BIT\" 10 1)"
            "(\"APPLICATION\" \"PDF\" (\"name\" \"a.pdf\") NIL NIL \"BASE64\" 400)(\"MESSAGE\" "
            "\"RFC822\" NIL NIL NIL \"7BIT\" 300 (NIL \"fwd\" NIL NIL NIL NIL NIL NIL NIL NIL) "
            "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 5 1) 12) \"MIXED\"))\r\n");
}

TEST(ImapEncodeFetch, BodySectionsAreLiteralsWithExactBytes) {
  Section header_fields{{}, SectionText::header_fields, {"From", "Subject"}};
  std::string hdr = "From: a@b\r\nSubject: hi\r\n\r\n";
  EXPECT_EQ(fetch({FetchUid{7}, FetchSection{header_fields, std::nullopt, hdr}}, 1),
            "* 1 FETCH (UID 7 BODY[HEADER.FIELDS (From Subject)] {26}\r\n" + hdr + ")\r\n");
  EXPECT_EQ(fetch({FetchSection{Section{{1, 2}, SectionText::mime, {}}, std::nullopt, "ab"}}, 1),
            "* 1 FETCH (BODY[1.2.MIME] {2}\r\nab)\r\n");
  EXPECT_EQ(fetch({FetchSection{Section{}, 0, "abc"}}, 1), "* 1 FETCH (BODY[]<0> {3}\r\nabc)\r\n");
  EXPECT_EQ(
      fetch({FetchSection{Section{{9}, SectionText::none, {}}, std::nullopt, std::nullopt}}, 1),
      "* 1 FETCH (BODY[9] NIL)\r\n");
  EXPECT_EQ(fetch({FetchSection{Section{{}, SectionText::text, {}}, std::nullopt, ""}}, 1),
            "* 1 FETCH (BODY[TEXT] {0}\r\n)\r\n");
  EXPECT_EQ(fetch({FetchRfc822{FetchRfc822::Kind::header, "H: v\r\n\r\n"},
                   FetchRfc822{FetchRfc822::Kind::text, "x"},
                   FetchRfc822{FetchRfc822::Kind::whole, std::nullopt}},
                  1),
            "* 1 FETCH (RFC822.HEADER {8}\r\nH: v\r\n\r\n RFC822.TEXT {1}\r\nx RFC822 NIL)\r\n");
  // The label echoes odd field names quoted (RFC 9051 §7.5.2 uses the request's form).
  EXPECT_EQ(section_label(Section{{2}, SectionText::header_fields_not, {"X-Odd(", "To"}}),
            "2.HEADER.FIELDS.NOT (\"X-Odd(\" To)");
}

// A literal may not carry NUL (RFC 9051 §4.3): outside BINARY it goes out as 0x80, so
// sizes and offsets stay those of the stored message.
TEST(ImapEncodeFetch, NulInBodyDataBecomes0x80) {
  std::string stored("a\0b", 3);
  EXPECT_EQ(fetch({FetchSection{Section{}, std::nullopt, stored}}, 1),
            "* 1 FETCH (BODY[] {3}\r\na\x80"
            "b)\r\n");
  EXPECT_EQ(fetch({FetchRfc822{FetchRfc822::Kind::whole, stored}}, 1),
            "* 1 FETCH (RFC822 {3}\r\na\x80"
            "b)\r\n");
}

TEST(ImapEncodeFetch, Binary) {
  std::string nul("a\0b", 3);
  EXPECT_EQ(fetch({FetchBinary{{1}, std::nullopt, nul}}, 1),
            std::string("* 1 FETCH (BINARY[1] ~{3}\r\na\0b)\r\n",
                        sizeof("* 1 FETCH (BINARY[1] ~{3}\r\na\0b)\r\n") - 1));
  EXPECT_EQ(fetch({FetchBinary{{1, 2}, 100, "text"}}, 1),
            "* 1 FETCH (BINARY[1.2]<100> {4}\r\ntext)\r\n");
  EXPECT_EQ(fetch({FetchBinary{{}, std::nullopt, std::nullopt}}, 1),
            "* 1 FETCH (BINARY[] NIL)\r\n");
  EXPECT_EQ(fetch({FetchBinarySize{{3}, 2024}}, 1), "* 1 FETCH (BINARY.SIZE[3] 2024)\r\n");
}

// RFC 8514 §4.2: the date as INTERNALDATE writes it, or NIL when it is not known.
TEST(ImapEncodeFetch, SaveDate) {
  EXPECT_EQ(fetch({FetchSaveDate{DateTime{{2015, 1, 1}, 18, 50, 53, 60}}}, 998),
            "* 998 FETCH (SAVEDATE \" 1-Jan-2015 18:50:53 +0100\")\r\n");
  EXPECT_EQ(fetch({FetchSaveDate{std::nullopt}}, 1), "* 1 FETCH (SAVEDATE NIL)\r\n");
}

// RFC 8474 §5.3: objectids in parentheses; THREADID NIL for a message without a thread.
TEST(ImapEncodeFetch, ObjectIds) {
  EXPECT_EQ(fetch({FetchEmailId{"M6d99ac3275bb4e"}, FetchThreadId{"T64b478a75b7ea9"}}, 1),
            "* 1 FETCH (EMAILID (M6d99ac3275bb4e) THREADID (T64b478a75b7ea9))\r\n");
  EXPECT_EQ(fetch({FetchEmailId{"M00000001"}, FetchThreadId{std::nullopt}}, 1),
            "* 1 FETCH (EMAILID (M00000001) THREADID NIL)\r\n");
}

// RFC 8970 §3.2 and §5: a string, a literal when it has to be, NIL only for LAZY.
TEST(ImapEncodeFetch, Preview) {
  EXPECT_EQ(fetch({FetchPreview{"Preview text!"}}, 1), "* 1 FETCH (PREVIEW \"Preview text!\")\r\n");
  EXPECT_EQ(fetch({FetchPreview{""}}, 2), "* 2 FETCH (PREVIEW \"\")\r\n");
  EXPECT_EQ(fetch({FetchPreview{std::nullopt}}, 3), "* 3 FETCH (PREVIEW NIL)\r\n");
  EXPECT_EQ(fetch({FetchPreview{"caf\xC3\xA9"}}, 4), "* 4 FETCH (PREVIEW {5}\r\ncaf\xC3\xA9)\r\n");
}

TEST(ImapEncodeFetch, EnvelopeStringsNeedingLiterals) {
  Envelope e;
  e.subject =
      "Gr\xC3\xBC\xC3\x9F"
      "e";
  e.message_id = "<a\"b@c>";
  EncodeOptions utf8{MailboxEncoding::utf8, StringCharset::utf8};
  EXPECT_EQ(fetch({FetchEnvelope{e}}, 1),
            "* 1 FETCH (ENVELOPE (NIL {7}\r\nGr\xC3\xBC\xC3\x9F"
            "e NIL NIL NIL NIL NIL NIL NIL "
            "\"<a\\\"b@c>\"))\r\n");
  EXPECT_EQ(encode(FetchData{1, {FetchEnvelope{e}}}, utf8),
            "* 1 FETCH (ENVELOPE (NIL \"Gr\xC3\xBC\xC3\x9F"
            "e\" NIL NIL NIL NIL NIL NIL NIL "
            "\"<a\\\"b@c>\"))\r\n");
}

}  // namespace
}  // namespace postamt::imap::proto
