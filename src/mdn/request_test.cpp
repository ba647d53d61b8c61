#include "mdn/request.h"

#include <gtest/gtest.h>

namespace postamt::mdn {
namespace {

const std::string kBody = "\r\nHello\r\n";

std::string with_header(std::string_view fields) {
  return std::string(fields) + kBody;
}

const std::string kValid =
    "Return-Path: <alice@example.test>\r\n"
    "From: Alice <alice@example.test>\r\n"
    "To: bob@local.test\r\n"
    "Subject: =?UTF-8?B?w6l0w6k=?= report\r\n"
    "Message-ID: <m1@example.test>\r\n"
    "Disposition-Notification-To: \"Alice A.\" <alice@EXAMPLE.test>\r\n";

TEST(DetectRequest, AllowedWhenDntEqualsReturnPath) {
  Request r = detect_request(with_header(kValid));
  EXPECT_EQ(r.reason, RequestReason::allowed);
  EXPECT_TRUE(r.automatic_receipt_allowed());
  ASSERT_TRUE(r.requester.has_value());
  EXPECT_EQ(r.requester->local_part, "alice");
  EXPECT_EQ(r.requester->domain, "EXAMPLE.test");
  EXPECT_EQ(r.requester->name, "");
  EXPECT_EQ(r.message_id, "<m1@example.test>");
  EXPECT_EQ(r.subject, "\xc3\xa9t\xc3\xa9 report");
  EXPECT_EQ(r.original_recipient, "");
}

TEST(DetectRequest, NoRequest) {
  Request r = detect_request(with_header("Return-Path: <a@b.test>\r\nSubject: x\r\n"));
  EXPECT_EQ(r.reason, RequestReason::no_request);
  EXPECT_FALSE(r.requester.has_value());
  EXPECT_EQ(to_string(r.reason), "no-request");
}

TEST(DetectRequest, LocalPartIsCaseSensitive) {
  Request r = detect_request(
      with_header("Return-Path: <Alice@example.test>\r\nDisposition-Notification-To: "
                  "alice@example.test\r\n"));
  EXPECT_EQ(r.reason, RequestReason::return_path_mismatch);
  ASSERT_TRUE(r.requester.has_value());  // a client may still ask its user
  EXPECT_EQ(to_string(r.reason), "return-path-mismatch");
}

TEST(DetectRequest, QuotedLocalPartCanonicalised) {
  Request r = detect_request(
      with_header("Return-Path: <alice@example.test>\r\nDisposition-Notification-To: "
                  "<\"alice\"@example.test>\r\n"));
  EXPECT_EQ(r.reason, RequestReason::allowed);
}

struct Case {
  std::string fields;
  RequestReason reason;
  std::string_view word;
};

TEST(DetectRequest, EveryRefusalReason) {
  const std::string dnt = "Disposition-Notification-To: a@b.test\r\n";
  const std::string rp = "Return-Path: <a@b.test>\r\n";
  const std::vector<Case> cases = {
      {dnt, RequestReason::no_return_path, "no-return-path"},
      {"Return-Path: < >\r\n" + dnt, RequestReason::null_return_path, "null-return-path"},
      {rp + rp + dnt, RequestReason::ambiguous_return_path, "ambiguous-return-path"},
      {"Return-Path: garbage <<\r\n" + dnt, RequestReason::ambiguous_return_path,
       "ambiguous-return-path"},
      {"Return-Path: <c@b.test>\r\n" + dnt, RequestReason::return_path_mismatch,
       "return-path-mismatch"},
      {rp + "Disposition-Notification-To: a@b.test, c@b.test\r\n", RequestReason::several_addresses,
       "several-addresses"},
      {rp + dnt + dnt, RequestReason::malformed_request, "malformed-request"},
      {rp + "Disposition-Notification-To: \r\n", RequestReason::malformed_request,
       "malformed-request"},
      {rp + "Disposition-Notification-To: g: a@b.test;\r\n", RequestReason::malformed_request,
       "malformed-request"},
      {rp + "Disposition-Notification-To: nobody\r\n", RequestReason::malformed_request,
       "malformed-request"},
      {rp + dnt + "Auto-Submitted: auto-replied\r\n", RequestReason::auto_submitted,
       "auto-submitted"},
      {rp + dnt + "Auto-Submitted: Auto-Generated; owner-email=x@y\r\n",
       RequestReason::auto_submitted, "auto-submitted"},
      {rp + dnt + "List-Id: <list.b.test>\r\n", RequestReason::list_mail, "list-mail"},
      {rp + dnt + "Precedence: Bulk\r\n", RequestReason::list_mail, "list-mail"},
      {rp + dnt + "Precedence: junk (spam)\r\n", RequestReason::list_mail, "list-mail"},
      {rp + dnt +
           "Content-Type: multipart/report; report-type=disposition-notification; "
           "boundary=x\r\n",
       RequestReason::is_report, "is-report"},
      {rp + dnt + "Content-Type: multipart/report; report-type=\"delivery-status\"; b=x\r\n",
       RequestReason::is_report, "is-report"},
      {rp + dnt + "Content-Type: message/disposition-notification\r\n", RequestReason::is_report,
       "is-report"},
  };
  for (const Case& c : cases) {
    Request r = detect_request(with_header(c.fields));
    EXPECT_EQ(r.reason, c.reason) << c.fields;
    EXPECT_EQ(to_string(r.reason), c.word) << c.fields;
  }
}

TEST(DetectRequest, DuplicateAddressIsOneDistinctAddress) {
  Request r = detect_request(
      with_header("Return-Path: <a@b.test>\r\nDisposition-Notification-To: a@b.test, "
                  "A <a@B.TEST>\r\n"));
  EXPECT_EQ(r.reason, RequestReason::allowed);
}

TEST(DetectRequest, NotAutoSubmittedAndOtherPrecedenceStillAllowed) {
  Request r = detect_request(
      with_header("Return-Path: <a@b.test>\r\nDisposition-Notification-To: a@b.test\r\n"
                  "Auto-Submitted: No (human)\r\nPrecedence: first-class\r\n"
                  "Content-Type: multipart/report; report-type=other; boundary=z\r\n"));
  EXPECT_EQ(r.reason, RequestReason::allowed);
}

TEST(DetectRequest, HeaderInjectionInDntCannotSurvive) {
  // Unfolding removes every CR and LF (RFC 5322 §2.2.3), so a bare CR inside a quoted
  // local part leaves one quoted word that re-serialises quoted, on one line.
  Request r =
      detect_request(with_header("Return-Path: <a@b.test>\r\nDisposition-Notification-To: "
                                 "\"a\rBcc: x@y\"@b.test\r\n"));
  EXPECT_EQ(r.reason, RequestReason::return_path_mismatch);
  ASSERT_TRUE(r.requester.has_value());
  EXPECT_EQ(r.requester->addr_spec(), "\"aBcc: x@y\"@b.test");
  // A control character the strict parser refuses makes the request malformed.
  r = detect_request(
      with_header("Return-Path: <a@b.test>\r\nDisposition-Notification-To: \"a\x01\"@b.test\r\n"));
  EXPECT_EQ(r.reason, RequestReason::malformed_request);
  EXPECT_FALSE(r.requester.has_value());
}

TEST(DetectRequest, OriginalRecipient) {
  EXPECT_EQ(detect_request(with_header("Original-Recipient: RFC822 ;  bob@x.test\r\n"))
                .original_recipient,
            "rfc822; bob@x.test");
  EXPECT_EQ(detect_request(with_header("Original-Recipient: rfc822;bob@x.test\r\n"
                                       "Original-Recipient: rfc822;eve@x.test\r\n"))
                .original_recipient,
            "");
  EXPECT_EQ(detect_request(with_header("Original-Recipient: x400;c=de\r\n")).original_recipient,
            "");
  EXPECT_EQ(normalise_original_recipient("rfc822;a b@c"), "");
  EXPECT_EQ(normalise_original_recipient("rfc822;\"a b\"@c"), "rfc822; \"a b\"@c");
}

TEST(DetectRequest, EmptyAndHeaderless) {
  EXPECT_EQ(detect_request("").reason, RequestReason::no_request);
  EXPECT_EQ(detect_request("\r\n\r\nDisposition-Notification-To: a@b\r\n").reason,
            RequestReason::no_request);
}

}  // namespace
}  // namespace postamt::mdn
