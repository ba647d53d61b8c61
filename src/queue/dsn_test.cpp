#include "queue/dsn.h"

#include <gtest/gtest.h>

namespace postamt::queue {
namespace {

mime::RandomSource counter() {
  auto n = std::make_shared<uint32_t>(0);
  return [n] { return (*n)++; };
}

QueuedMessage sample(delivery::Ret ret) {
  QueuedMessage m;
  m.id = "Q1";
  m.message.envelope_sender = "a@x.test";
  m.message.recipients = {{"b@y.test", "rfc822;B@y.test", delivery::Notify{}},
                          {"c@y.test", "", delivery::Notify{}}};
  m.message.envid = "E1";
  m.message.ret = ret;
  m.message.body = "Subject: hi\r\nFrom: a@x.test\r\n\r\nsecret body\r\n";
  m.status = {{RecipientState::failed, "5.1.1", "mx.y.test", "550 5.1.1 no such user"},
              {RecipientState::failed, "4.4.7", "", "connect to mx.y.test: refused"}};
  m.arrival = from_unix(1'800'000'000);  // Fri, 15 Jan 2027 08:00:00 +0000
  return m;
}

DsnOptions options() {
  DsnOptions o;
  o.reporting_mta = "mail.x.test";
  o.now = from_unix(1'800'003'600);
  return o;
}

TEST(QueueDsn, FailedRecipientsExactFieldsAndHeaders) {
  QueuedMessage m = sample(delivery::Ret::headers);
  auto dsn = build_dsn(m, {{0, DsnAction::failed}, {1, DsnAction::failed}}, options(), counter());
  ASSERT_TRUE(dsn) << dsn.error().message;
  EXPECT_EQ(dsn->envelope_sender, "");
  ASSERT_EQ(dsn->recipients.size(), 1u);
  EXPECT_EQ(dsn->recipients[0].address, "a@x.test");
  EXPECT_TRUE(dsn->recipients[0].notify.never);
  const std::string& b = dsn->body;
  const std::string boundary = "=_report_0123456789ABCDEFGHIJKLMN";
  EXPECT_TRUE(
      b.starts_with("From: Mail Delivery System <MAILER-DAEMON@mail.x.test>\r\n"
                    "To: <a@x.test>\r\n"
                    "Subject: Undelivered Mail Returned to Sender\r\n"
                    "Date: Fri, 15 Jan 2027 09:00:00 +0000\r\n"
                    "Message-ID: <Q1.1800003600@mail.x.test>\r\n"
                    "Auto-Submitted: auto-replied\r\n"
                    "MIME-Version: 1.0\r\n"
                    "Content-Type: multipart/report; report-type=delivery-status; "
                    "boundary=\"" +
                    boundary + "\"\r\n\r\n"))
      << b;
  // RFC 3464 §2.2 per-message fields, §2.3 per-recipient fields, groups separated by a
  // blank line.
  const std::string machine =
      "Content-Type: message/delivery-status\r\n\r\n"
      "Reporting-MTA: dns; mail.x.test\r\n"
      "Original-Envelope-Id: E1\r\n"
      "Arrival-Date: Fri, 15 Jan 2027 08:00:00 +0000\r\n"
      "\r\n"
      "Original-Recipient: rfc822; B@y.test\r\n"
      "Final-Recipient: rfc822; b@y.test\r\n"
      "Action: failed\r\n"
      "Status: 5.1.1\r\n"
      "Remote-MTA: dns; mx.y.test\r\n"
      "Diagnostic-Code: smtp; 550 5.1.1 no such user\r\n"
      "Last-Attempt-Date: Fri, 15 Jan 2027 09:00:00 +0000\r\n"
      "\r\n"
      "Final-Recipient: rfc822; c@y.test\r\n"
      "Action: failed\r\n"
      "Status: 4.4.7\r\n"
      "Diagnostic-Code: X-Postamt; connect to mx.y.test: refused\r\n"
      "Last-Attempt-Date: Fri, 15 Jan 2027 09:00:00 +0000\r\n";
  EXPECT_NE(b.find(machine), std::string::npos) << b;
  // RET=HDRS: the header only, never the body.
  EXPECT_NE(b.find("Content-Type: text/rfc822-headers\r\n\r\nSubject: hi\r\nFrom: a@x.test\r\n"),
            std::string::npos)
      << b;
  EXPECT_EQ(b.find("secret body"), std::string::npos);
  EXPECT_NE(b.find("<c@y.test>: delivery failed\r\n    connect to mx.y.test: refused\r\n"),
            std::string::npos);
}

TEST(QueueDsn, RetFullReturnsTheWholeMessageAndNoEnvidMeansNoField) {
  QueuedMessage m = sample(delivery::Ret::full);
  m.message.envid.clear();
  auto dsn = build_dsn(m, {{1, DsnAction::failed}}, options(), counter());
  ASSERT_TRUE(dsn);
  EXPECT_NE(dsn->body.find("Content-Type: message/rfc822\r\n\r\nSubject: hi\r\n"),
            std::string::npos);
  EXPECT_NE(dsn->body.find("secret body"), std::string::npos);
  EXPECT_EQ(dsn->body.find("Original-Envelope-Id"), std::string::npos);
  EXPECT_EQ(dsn->body.find("b@y.test"), std::string::npos);
}

TEST(QueueDsn, UnspecifiedRetReturnsHeadersOverTheSizeLimit) {
  QueuedMessage m = sample(delivery::Ret::unspecified);
  DsnOptions o = options();
  o.max_returned_body = 10;
  auto dsn = build_dsn(m, {{0, DsnAction::failed}}, o, counter());
  ASSERT_TRUE(dsn);
  EXPECT_NE(dsn->body.find("text/rfc822-headers"), std::string::npos);
  EXPECT_EQ(dsn->body.find("secret body"), std::string::npos);
}

TEST(QueueDsn, RelayedNoticeHasSuccessSubject) {
  QueuedMessage m = sample(delivery::Ret::headers);
  m.status[0] = {RecipientState::sent, "2.0.0", "mx.y.test", "250 2.0.0 ok"};
  auto dsn = build_dsn(m, {{0, DsnAction::relayed}}, options(), counter());
  ASSERT_TRUE(dsn);
  EXPECT_NE(dsn->body.find("Subject: Delivery Status Notification\r\n"), std::string::npos);
  EXPECT_NE(dsn->body.find("Action: relayed\r\nStatus: 2.0.0\r\n"), std::string::npos);
}

TEST(QueueDsn, NullSenderNeverGetsADsn) {
  QueuedMessage m = sample(delivery::Ret::headers);
  m.message.envelope_sender = "";
  auto dsn = build_dsn(m, {{0, DsnAction::failed}}, options(), counter());
  ASSERT_FALSE(dsn);
  EXPECT_EQ(dsn.error().kind, ErrorKind::invalid);
}

TEST(QueueDsn, ControlCharactersInFieldsAreRefused) {
  QueuedMessage m = sample(delivery::Ret::headers);
  m.status[0].diagnostic = "550 x\r\nInjected: yes";
  auto dsn = build_dsn(m, {{0, DsnAction::failed}}, options(), counter());
  ASSERT_FALSE(dsn);
  EXPECT_EQ(dsn.error().kind, ErrorKind::invalid);
}

}  // namespace
}  // namespace postamt::queue
