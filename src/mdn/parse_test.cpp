#include "mdn/parse.h"

#include <gtest/gtest.h>

namespace postamt::mdn {
namespace {

std::string mdn_message(
    std::string_view fields, std::string_view report_type = "disposition-notification",
    std::string_view part_headers = "Content-Type: message/disposition-notification\r\n") {
  return "From: bob@local.test\r\nTo: alice@example.test\r\nSubject: Read: hi\r\n"
         "MIME-Version: 1.0\r\n"
         "Content-Type: multipart/report; report-type=" +
         std::string(report_type) +
         ";\r\n boundary=\"b1\"\r\n\r\n"
         "--b1\r\nContent-Type: text/plain\r\n\r\nDisplayed.\r\n"
         "--b1\r\n" +
         std::string(part_headers) + "\r\n" + std::string(fields) + "--b1--\r\n";
}

const std::string kFields =
    "Reporting-UA: bob-laptop; Thunderbird 115\r\n"
    "Original-Recipient: rfc822;Bob@local.test\r\n"
    "Final-Recipient: rfc822; bob@local.test\r\n"
    "Original-Message-ID: <m1@example.test>\r\n"
    "Disposition: manual-action/MDN-sent-manually; displayed\r\n";

TEST(ParseSubmittedMdn, Thunderbird) {
  const std::string m = mdn_message(kFields);
  EXPECT_TRUE(is_mdn(m));
  auto r = parse_submitted_mdn(m);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->original_message_id, "<m1@example.test>");
  EXPECT_EQ(r->final_recipient, "bob@local.test");
  EXPECT_EQ(r->original_recipient, "rfc822; Bob@local.test");
  EXPECT_EQ(r->disposition.action_mode, ActionMode::manual);
  EXPECT_EQ(r->disposition.sending_mode, SendingMode::manual);
  EXPECT_EQ(r->disposition.type, DispositionType::displayed);
  EXPECT_TRUE(r->disposition.modifiers.empty());
}

TEST(ParseSubmittedMdn, FoldedCommentedAndModifiers) {
  auto r = parse_submitted_mdn(
      mdn_message("final-recipient: RFC822;\r\n <bob@local.test>\r\n"
                  "ORIGINAL-MESSAGE-ID: (c) <m2@example.test>\r\n"
                  "X-Extension: whatever\r\n"
                  "Disposition: Automatic-Action (why) / mdn-sent-automatically;\r\n"
                  "  Dispatched/Error, X-Thing\r\n"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->original_message_id, "<m2@example.test>");
  EXPECT_EQ(r->final_recipient, "bob@local.test");
  EXPECT_EQ(r->original_recipient, "");
  EXPECT_EQ(r->disposition.action_mode, ActionMode::automatic);
  EXPECT_EQ(r->disposition.sending_mode, SendingMode::automatic);
  EXPECT_EQ(r->disposition.type, DispositionType::dispatched);
  EXPECT_EQ(r->disposition.modifiers, (std::vector<std::string>{"error", "x-thing"}));
}

TEST(ParseSubmittedMdn, NoOriginalMessageIdIsAllowed) {
  auto r =
      parse_submitted_mdn(mdn_message("Final-Recipient: rfc822; bob@local.test\r\n"
                                      "Disposition: manual-action/MDN-sent-manually; deleted\r\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->original_message_id, "");
  EXPECT_EQ(r->disposition.type, DispositionType::deleted);
}

// What a client that leaves out Original-Message-ID may still say about the original
// in the receipt's own header (RFC 5322 §3.6.4): folded, commented, obsolete quoting.
TEST(ParseSubmittedMdn, InReplyToAndReferencesOfTheReceiptsHeader) {
  const std::string fields =
      "Final-Recipient: rfc822; bob@local.test\r\n"
      "Disposition: manual-action/MDN-sent-manually; displayed\r\n";
  auto r = parse_submitted_mdn(
      "In-Reply-To: (the original)\r\n <m1@example.test>\r\n"
      "References: <root@example.test> (thread)\r\n\t<\"m1\"@example.test>\r\n" +
      mdn_message(fields));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->original_message_id, "");
  EXPECT_EQ(r->in_reply_to, "<m1@example.test>");
  EXPECT_EQ(r->references_last, "<m1@example.test>");

  auto plain = parse_submitted_mdn(mdn_message(fields));
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->in_reply_to, "");
  EXPECT_EQ(plain->references_last, "");

  // Unusable fields are left empty and never make the receipt invalid.
  struct Case {
    std::string header;
    std::string in_reply_to;
    std::string references_last;
  };
  const std::vector<Case> cases = {
      // Several parents cannot name the one message the receipt is about.
      {"In-Reply-To: <a@x> <b@x>\r\nReferences: <a@x> <b@x>\r\n", "", "<b@x>"},
      {"In-Reply-To: <a@x>\r\nIn-Reply-To: <a@x>\r\n", "", ""},
      {"References: <a@x>\r\nReferences: <b@x>\r\n", "", ""},
      {"In-Reply-To: a@x\r\nReferences: <a@x> b@x\r\n", "", ""},
      {"In-Reply-To: <a b@x>\r\nReferences: <a@x> <b@x\r\n", "", ""},
      {"In-Reply-To: \r\nReferences: (only a comment)\r\n", "", ""},
      // msg-ids need no space between them.
      {"Subject: Re: x\r\nReferences:<a@x><b@x>\r\n", "", "<b@x>"},
  };
  for (const Case& c : cases) {
    auto got = parse_submitted_mdn(c.header + mdn_message(fields));
    ASSERT_TRUE(got) << c.header << got.error().message;
    EXPECT_EQ(got->in_reply_to, c.in_reply_to) << c.header;
    EXPECT_EQ(got->references_last, c.references_last) << c.header;
  }
  // Fields inside the message/disposition-notification part are not the receipt's header.
  auto inner = parse_submitted_mdn(mdn_message(fields + "In-Reply-To: <m1@example.test>\r\n"));
  ASSERT_TRUE(inner);
  EXPECT_EQ(inner->in_reply_to, "");
}

TEST(ParseSubmittedMdn, Base64EncodedNotificationPart) {
  // base64 of "Final-Recipient: rfc822; bob@local.test\r\nDisposition:
  // manual-action/MDN-sent-manually; processed\r\n"
  auto r = parse_submitted_mdn(mdn_message(
      "RmluYWwtUmVjaXBpZW50OiByZmM4MjI7IGJvYkBsb2NhbC50ZXN0DQpEaXNwb3NpdGlvbjogbWFu\r\n"
      "dWFsLWFjdGlvbi9NRE4tc2VudC1tYW51YWxseTsgcHJvY2Vzc2VkDQo=\r\n",
      "disposition-notification",
      "Content-Type: message/disposition-notification\r\nContent-Transfer-Encoding: base64\r\n"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->disposition.type, DispositionType::processed);
}

struct Bad {
  std::string message;
  std::string error;
};

TEST(ParseSubmittedMdn, ClearErrors) {
  const std::string fr = "Final-Recipient: rfc822; bob@local.test\r\n";
  const std::string disp = "Disposition: manual-action/MDN-sent-manually; displayed\r\n";
  const std::vector<Bad> cases = {
      {"Subject: hi\r\n\r\nbody\r\n",
       "not a multipart/report; report-type=disposition-notification"},
      {mdn_message(fr + disp, "delivery-status"),
       "not a multipart/report; report-type=disposition-notification"},
      {mdn_message(fr + disp, "disposition-notification", "Content-Type: text/plain\r\n"),
       "no message/disposition-notification part"},
      {mdn_message(disp), "Final-Recipient is missing"},
      {mdn_message(fr + fr + disp), "Final-Recipient appears more than once"},
      {mdn_message("Final-Recipient: x400; c=de\r\n" + disp),
       "Final-Recipient is not an rfc822 address"},
      {mdn_message("Final-Recipient: bob@local.test\r\n" + disp),
       "Final-Recipient is not an rfc822 address"},
      {mdn_message("Final-Recipient: rfc822; bob@\r\n" + disp),
       "Final-Recipient is not a valid address"},
      {mdn_message(fr), "Disposition is missing"},
      {mdn_message(fr + "Disposition: displayed\r\n"), "Disposition has no ';'"},
      {mdn_message(fr + "Disposition: manual-action; displayed\r\n"),
       "Disposition mode has no '/'"},
      {mdn_message(fr + "Disposition: by-hand/MDN-sent-manually; displayed\r\n"),
       "unknown Disposition action mode"},
      {mdn_message(fr + "Disposition: manual-action/sent; displayed\r\n"),
       "unknown Disposition sending mode"},
      {mdn_message(fr + "Disposition: manual-action/MDN-sent-manually; read\r\n"),
       "unknown Disposition type"},
      {mdn_message(fr + "Disposition: manual-action/MDN-sent-manually; displayed/a b\r\n"),
       "malformed Disposition modifier"},
      {mdn_message(fr + disp + "Original-Message-ID: m1@example.test\r\n"),
       "Original-Message-ID is not a msg-id"},
      {mdn_message(fr + disp + "Original-Message-ID: <a@b>\r\nOriginal-Message-ID: <a@b>\r\n"),
       "Original-Message-ID appears more than once"},
  };
  for (const Bad& c : cases) {
    auto r = parse_submitted_mdn(c.message);
    ASSERT_FALSE(r) << c.message;
    EXPECT_EQ(r.error().kind, ErrorKind::invalid);
    EXPECT_EQ(r.error().message, c.error) << c.message;
  }
}

TEST(ParseSubmittedMdn, IsMdnOnlyForDispositionReports) {
  EXPECT_FALSE(is_mdn("Subject: x\r\n\r\n"));
  EXPECT_FALSE(is_mdn(mdn_message(kFields, "delivery-status")));
  EXPECT_FALSE(is_mdn(""));
}

TEST(ParseSubmittedMdn, RoundTripsOurOwnReceipt) {
  Request request;
  request.reason = RequestReason::allowed;
  request.requester = mime::Mailbox{"", "", "alice", "example.test"};
  request.message_id = "<m9@example.test>";
  GenerateOptions o;
  o.reporting_host = "mx.local.test";
  o.recipient_address = "bob@local.test";
  o.disposition = DispositionType::dispatched;
  auto n = std::make_shared<uint32_t>(7);
  auto generated = generate_mdn(request, o, [n] { return (*n)++; });
  ASSERT_TRUE(generated);
  EXPECT_TRUE(is_mdn(generated->message));
  auto r = parse_submitted_mdn(generated->message);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->original_message_id, "<m9@example.test>");
  EXPECT_EQ(r->final_recipient, "bob@local.test");
  EXPECT_EQ(r->disposition.action_mode, ActionMode::automatic);
  EXPECT_EQ(r->disposition.type, DispositionType::dispatched);
}

// Every prefix of a valid receipt must give a value or an error, never a crash.
TEST(ParseSubmittedMdn, EveryPrefixIsSafe) {
  const std::string m = mdn_message(kFields);
  size_t parsed = 0;
  for (size_t n = 0; n <= m.size(); ++n) {
    if (parse_submitted_mdn(std::string_view(m).substr(0, n))) ++parsed;
  }
  EXPECT_GT(parsed, 0u);
}

}  // namespace
}  // namespace postamt::mdn
