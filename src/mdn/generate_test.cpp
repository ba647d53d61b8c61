#include "mdn/generate.h"

#include <gtest/gtest.h>

#include "mime/encoded_word.h"
#include "mime/message.h"

namespace postamt::mdn {
namespace {

mime::RandomSource counter() {
  auto n = std::make_shared<uint32_t>(0);
  return [n] { return (*n)++; };
}

const std::string kOriginal =
    "Return-Path: <alice@example.test>\r\n"
    "From: Alice <alice@example.test>\r\n"
    "To: bob@local.test\r\n"
    "Subject: Quarterly numbers\r\n"
    "Message-ID: <m1@example.test>\r\n"
    "Disposition-Notification-To: Alice <alice@example.test>\r\n"
    "\r\n"
    "Hello\r\n";

GenerateOptions options() {
  GenerateOptions o;
  o.reporting_host = "mx.local.test";
  o.recipient_address = "bob@local.test";
  o.disposition = DispositionType::displayed;
  o.now_utc_seconds = 1700000000;  // Tue, 14 Nov 2023 22:13:20 +0000
  return o;
}

TEST(GenerateMdn, ExactBytes) {
  auto r = generate_mdn(detect_request(kOriginal), options(), counter());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->envelope_sender, "");
  EXPECT_EQ(r->envelope_recipient, "alice@example.test");
  EXPECT_EQ(r->message_id, "<0000001800000019.1700000000@mx.local.test>");
  const std::string b = "=_report_0123456789ABCDEFGHIJKLMN";
  EXPECT_EQ(r->message,
            "From: bob@local.test\r\n"
            "To: alice@example.test\r\n"
            "Subject: Read receipt (displayed): Quarterly numbers\r\n"
            "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
            "Message-ID: <0000001800000019.1700000000@mx.local.test>\r\n"
            "MIME-Version: 1.0\r\n"
            "Auto-Submitted: auto-replied\r\n"
            "Content-Type: multipart/report; report-type=disposition-notification;\r\n"
            " boundary=\"" +
                b +
                "\"\r\n"
                "\r\n"
                "This is a MIME-encapsulated report.\r\n\r\n"
                "--" +
                b +
                "\r\n"
                "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
                "This is a receipt for the message you sent to bob@local.test.\r\n\r\n"
                "Subject: Quarterly numbers\r\nMessage-ID: <m1@example.test>\r\n\r\n"
                "The message was handed to the recipient's mail program to be displayed. This is "
                "no guarantee that it has been read or understood.\r\n"
                "\r\n--" +
                b +
                "\r\n"
                "Content-Type: message/disposition-notification\r\n\r\n"
                "Reporting-UA: mx.local.test; Postamt\r\n"
                "Final-Recipient: rfc822; bob@local.test\r\n"
                "Original-Message-ID: <m1@example.test>\r\n"
                "Disposition: automatic-action/MDN-sent-automatically; displayed\r\n"
                "\r\n--" +
                b + "--\r\n");
  // What we generate must itself be recognised as a report, never as a request.
  Request again = detect_request(r->message);
  EXPECT_EQ(again.reason, RequestReason::no_request);
  mime::Message parsed = mime::parse(r->message);
  EXPECT_EQ(parsed.root().content_type.subtype, "report");
  EXPECT_EQ(parsed.root().child_count, 2u);
}

TEST(GenerateMdn, RefusesWhenNotAllowed) {
  std::string mismatch = kOriginal;
  mismatch.replace(0, mismatch.find("\r\n"), "Return-Path: <other@example.test>");
  auto r = generate_mdn(detect_request(mismatch), options(), counter());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::invalid);
  EXPECT_EQ(r.error().message, "no automatic receipt allowed (return-path-mismatch)");
  auto o = options();
  o.reporting_host = "bad host";
  EXPECT_FALSE(generate_mdn(detect_request(kOriginal), o, counter()));
  o = options();
  o.recipient_address = "bob@local.test\r\nBcc: eve@x";
  EXPECT_FALSE(generate_mdn(detect_request(kOriginal), o, counter()));
}

TEST(GenerateMdn, OriginalRecipientFromHeaderThenOrcpt) {
  auto o = options();
  o.orcpt = "rfc822;bobby@local.test";
  auto r = generate_mdn(detect_request(kOriginal), o, counter());
  ASSERT_TRUE(r);
  EXPECT_NE(r->message.find("\r\nOriginal-Recipient: rfc822; bobby@local.test\r\n"
                            "Final-Recipient: rfc822; bob@local.test\r\n"),
            std::string::npos);
  std::string with_header = "Original-Recipient: rfc822;b@local.test\r\n" + kOriginal;
  r = generate_mdn(detect_request(with_header), o, counter());
  ASSERT_TRUE(r);
  EXPECT_NE(r->message.find("\r\nOriginal-Recipient: rfc822; b@local.test\r\n"), std::string::npos);
  EXPECT_EQ(r->message.find("bobby"), std::string::npos);
  o.orcpt = "rfc822;bad\x01@x";
  r = generate_mdn(detect_request(kOriginal), o, counter());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->message.find("Original-Recipient"), std::string::npos);
}

TEST(GenerateMdn, NoOriginalMessageIdWithoutOne) {
  std::string original = kOriginal;
  original.erase(original.find("Message-ID: <m1@example.test>\r\n"), 31);
  auto r = generate_mdn(detect_request(original), options(), counter());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->message.find("Original-Message-ID"), std::string::npos);
  // A malformed Message-ID counts as none; its bytes are never copied.
  std::string broken = original;
  broken.insert(0, "Message-ID: <x@y>\rBcc: eve@example.test\r\n");
  r = generate_mdn(detect_request(broken), options(), counter());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->message.find("Original-Message-ID"), std::string::npos);
  EXPECT_EQ(r->message.find("eve@"), std::string::npos);
}

TEST(GenerateMdn, SubjectIsSanitisedAndEncoded) {
  std::string original = kOriginal;
  original.replace(original.find("Subject: Quarterly numbers"), 26,
                   "Subject: =?UTF-8?B?w6l0w6k=?=\r\n =?UTF-8?Q?_=0D=0ABcc:_eve@x?= \xff");
  auto r = generate_mdn(detect_request(original), options(), counter());
  ASSERT_TRUE(r);
  // Decoded: "été \r\nBcc: eve@x \xff" -> controls to spaces, invalid byte to U+FFFD.
  const std::string expected_text = "\xc3\xa9t\xc3\xa9   Bcc: eve@x \xef\xbf\xbd";
  EXPECT_EQ(sanitise_line("\xc3\xa9t\xc3\xa9 \r\nBcc: eve@x \xff", 200), expected_text);
  EXPECT_NE(r->message.find("Subject: Read receipt (displayed):\r\n =?UTF-8?B?"),
            std::string::npos);
  EXPECT_EQ(r->message.find("\nBcc"), std::string::npos);
  mime::Message parsed = mime::parse(r->message);
  auto subject = parsed.header(parsed.root()).value("Subject");
  ASSERT_TRUE(subject);
  EXPECT_EQ(mime::decode_unstructured(*subject), "Read receipt (displayed): " + expected_text);
  // Exactly the fields we wrote: the injected Bcc never became a field.
  EXPECT_EQ(parsed.header(parsed.root()).count("Bcc"), 0u);
  EXPECT_EQ(parsed.header(parsed.root()).size(), 8u);
}

TEST(GenerateMdn, LongAndLiteralEncodedWordSubjects) {
  std::string original = kOriginal;
  original.replace(original.find("Quarterly numbers"), 17, std::string(300, 'x'));
  auto r = generate_mdn(detect_request(original), options(), counter());
  ASSERT_TRUE(r);
  EXPECT_NE(
      r->message.find("Subject: Read receipt (displayed):\r\n " + std::string(200, 'x') + "\r\n"),
      std::string::npos);
  EXPECT_EQ(sanitise_line("\xc3\xa9\xc3\xa9", 3), "\xc3\xa9");
  EXPECT_EQ(sanitise_line("\xed\xa0\x80", 10), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

TEST(GenerateMdn, DispositionWords) {
  EXPECT_EQ(parse_disposition_type("Dispatched"), DispositionType::dispatched);
  EXPECT_EQ(parse_disposition_type("read"), std::nullopt);
  auto o = options();
  o.disposition = DispositionType::dispatched;
  auto r = generate_mdn(detect_request(kOriginal), o, counter());
  ASSERT_TRUE(r);
  EXPECT_NE(r->message.find("Disposition: automatic-action/MDN-sent-automatically; dispatched\r\n"),
            std::string::npos);
  EXPECT_NE(r->message.find("Subject: Read receipt (dispatched): Quarterly numbers\r\n"),
            std::string::npos);
}

}  // namespace
}  // namespace postamt::mdn
