#include "mime/imap_data.h"

#include <gtest/gtest.h>

namespace postamt::mime {
namespace {

TEST(ImapData, EnvelopeDefaultsAndRawValues) {
  const std::string text =
      "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n"
      "From: Terry Gray <gray@cac.washington.edu>\r\n"
      "Subject: =?utf-8?Q?IMAP4rev1?=\r\n  WG mtg summary\r\n"
      "To: imap@cac.washington.edu\r\n"
      "cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n"
      "Message-Id: <B27397-0100000@cac.washington.edu>\r\n\r\nbody\r\n";
  Message m = parse(text);
  Envelope e = envelope(m, m.root());
  EXPECT_EQ(e.date, "Wed, 17 Jul 1996 02:23:25 -0700 (PDT)");
  EXPECT_EQ(e.subject, "=?utf-8?Q?IMAP4rev1?=  WG mtg summary");
  ASSERT_EQ(e.from.size(), 1u);
  EXPECT_EQ(std::get<Mailbox>(e.from[0]).name, "Terry Gray");
  EXPECT_EQ(e.sender, e.from);
  EXPECT_EQ(e.reply_to, e.from);
  ASSERT_EQ(e.cc.size(), 2u);
  EXPECT_EQ(std::get<Mailbox>(e.cc[1]).local_part, "KLENSIN");
  EXPECT_TRUE(e.bcc.empty());
  EXPECT_EQ(e.in_reply_to, std::nullopt);
  EXPECT_EQ(e.message_id, "<B27397-0100000@cac.washington.edu>");
}

// The lines a store keeps: the ENVELOPE fields only, raw, each ending in a line end;
// none for a header over kMaxStoredEnvelopeHeader or one cut by a MimeLimits limit.
TEST(ImapData, EnvelopeHeaderToStore) {
  EXPECT_EQ(envelope_header_to_store("X-A: 1\r\nSUBJECT: hi\r\n there\nFrom: a@b\r\n"
                                     "Received: x\r\nto: c@d\r\n\r\nSubject: body\r\n"),
            "SUBJECT: hi\r\n there\nFrom: a@b\r\nto: c@d\r\n");
  EXPECT_EQ(envelope_header_to_store("Subject: no line end"), "Subject: no line end\r\n");
  EXPECT_EQ(envelope_header_to_store("X-Only: other fields\r\n\r\nbody"), "");
  std::string to_list = "To: ";
  while (to_list.size() <= kMaxStoredEnvelopeHeader) to_list += "someone@example.org, ";
  EXPECT_EQ(envelope_header_to_store("Subject: s\r\n" + to_list + "\r\n\r\nbody"), std::nullopt);
  std::string many;
  for (int i = 0; i < 10001; ++i) many += "X-F: 1\r\n";
  EXPECT_EQ(envelope_header_to_store(many + "Subject: late\r\n\r\nbody"), std::nullopt);
}

// Only the header is read (the body of a mapped blob stays untouched), and the byte limit
// on the header falls where it did when the whole message was parsed: a header whose
// lines, blank line included, fill MimeLimits::max_header_bytes exactly is kept; one
// octet more and it is not.
TEST(ImapData, EnvelopeHeaderToStoreStopsAtTheHeaderByteLimit) {
  const size_t limit = MimeLimits{}.max_header_bytes;
  const std::string subject = "Subject: s\r\n";
  const std::string body = "\r\n" + std::string(3 * limit, 'b');
  auto header_of = [&](size_t total) {
    // total = subject + one filler field + "\r\n" (the blank line)
    std::string filler = "X-Fill: " + std::string(total - subject.size() - 2 - 10, 'f') + "\r\n";
    return subject + filler;
  };
  ASSERT_EQ(header_of(limit).size() + 2, limit);
  EXPECT_EQ(envelope_header_to_store(header_of(limit) + body), subject);
  EXPECT_EQ(envelope_header_to_store(header_of(limit + 1) + body), std::nullopt);
  // Without a blank line: the limit counts the header lines alone.
  EXPECT_EQ(envelope_header_to_store(header_of(limit + 2)), subject);
  EXPECT_EQ(envelope_header_to_store(header_of(limit + 3)), std::nullopt);
}

TEST(ImapData, BodyStructureOfNestedMessage) {
  const std::string text =
      "Content-Type: multipart/mixed; boundary=b\n\n"
      "--b\nContent-Type: text/plain; charset=utf-8\nContent-ID: <c1>\n"
      "Content-Disposition: inline\nContent-Language: en\n\nline1\nline2\n"
      "--b\nContent-Type: message/rfc822\n\nSubject: inner\nFrom: a@b\n\nhi\n"
      "--b\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBO\n"
      "--b--\n";
  Message m = parse(text);
  BodyStructure b = body_structure(m, m.root());
  EXPECT_EQ(b.type, "multipart");
  EXPECT_EQ(b.subtype, "mixed");
  EXPECT_EQ(b.params, (std::vector<Parameter>{{"boundary", "b"}}));
  ASSERT_EQ(b.children.size(), 3u);
  const BodyStructure& t = b.children[0];
  EXPECT_EQ(t.type, "text");
  EXPECT_EQ(t.encoding, "7bit");
  EXPECT_EQ(t.size, 11u);
  EXPECT_EQ(t.size_crlf, 12u);
  EXPECT_EQ(t.lines, 2u);
  EXPECT_EQ(t.id, "<c1>");
  ASSERT_TRUE(t.disposition);
  EXPECT_EQ(t.disposition->type, "inline");
  EXPECT_EQ(t.language, (std::vector<std::string>{"en"}));
  EXPECT_EQ(t.md5, std::nullopt);
  const BodyStructure& msg = b.children[1];
  EXPECT_EQ(msg.subtype, "rfc822");
  ASSERT_TRUE(msg.envelope);
  EXPECT_EQ(msg.envelope->subject, "inner");
  EXPECT_EQ(msg.lines, 4u);
  ASSERT_EQ(msg.children.size(), 1u);
  EXPECT_EQ(msg.children[0].type, "text");
  EXPECT_EQ(msg.children[0].size, 2u);
  const BodyStructure& img = b.children[2];
  EXPECT_EQ(img.encoding, "base64");
  EXPECT_EQ(img.lines, std::nullopt);
  EXPECT_EQ(img.size, 4u);
}

}  // namespace
}  // namespace postamt::mime
