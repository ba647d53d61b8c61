#include "mdn/user_receipt.h"

#include <gtest/gtest.h>

#include "blob/memory_blob_store.h"
#include "delivery/testing/recording_queue.h"
#include "mdn/parse.h"
#include "mime/message_id.h"
#include "store/memory/memory_store.h"

namespace postamt::mdn {
namespace {

// ComposeMdn.ExactBytesWithTheOriginal: RFC 8098 §3 with a message/rfc822 third part.
const std::string kComposedWithOriginal =
    "From: bob@example.org\r\n"
    "To: carol@remote.test\r\n"
    "Subject: =?UTF-8?B?UmVhZCByZWNlaXB0IChwcm9jZXNzZWQpOiBQbMOkbmU=?=\r\n"
    "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
    "Message-ID: <0000001800000019.1700000000@mx.example.org>\r\n"
    "MIME-Version: 1.0\r\n"
    "Auto-Submitted: auto-replied\r\n"
    "Content-Type: multipart/report; report-type=disposition-notification;\r\n"
    " boundary=\"=_report_0123456789ABCDEFGHIJKLMN\"\r\n"
    "\r\n"
    "This is a MIME-encapsulated report.\r\n"
    "\r\n"
    "--=_report_0123456789ABCDEFGHIJKLMN\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 7bit\r\n"
    "\r\n"
    "Shown.\r\n"
    "\r\n"
    "--=_report_0123456789ABCDEFGHIJKLMN\r\n"
    "Content-Type: message/disposition-notification\r\n"
    "\r\n"
    "Reporting-UA: mx.example.org; Postamt\r\n"
    "Original-Recipient: rfc822; BOB@example.org\r\n"
    "Final-Recipient: rfc822; bob@example.org\r\n"
    "Original-Message-ID: <p@remote.test>\r\n"
    "Disposition: automatic-action/MDN-sent-automatically; processed\r\n"
    "\r\n"
    "--=_report_0123456789ABCDEFGHIJKLMN\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "Return-Path: <carol@remote.test>\r\n"
    "Subject: Pl\xC3\xA4"
    "ne\r\n"
    "Message-ID: <p@remote.test>\r\n"
    "Original-Recipient: rfc822; BOB@example.org\r\n"
    "Disposition-Notification-To: carol@remote.test\r\n"
    "\r\n"
    "Hi\r\n"
    "\r\n"
    "--=_report_0123456789ABCDEFGHIJKLMN--\r\n";

using namespace std::chrono_literals;

std::string original(std::string_view return_path, std::string_view extra = "") {
  return "Return-Path: <" + std::string(return_path) +
         ">\r\n"
         "From: Carol <carol@remote.test>\r\nTo: bob@example.org\r\nSubject: Plans\r\n"
         "Message-ID: <plans@remote.test>\r\n" +
         std::string(extra) + "Disposition-Notification-To: <carol@remote.test>\r\n\r\nHello\r\n";
}

class UserReceiptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.add_domain("example.org"));
    bob_ = *store_.create_account("bob@example.org", "h");
    account_ = *store_.find_account("bob@example.org");
    inbox_ = store_.find_mailbox(bob_, "INBOX")->id;
  }
  UserReceiptDependencies deps() {
    UserReceiptDependencies d;
    d.delivery = delivery::Services{&store_, &blobs_, &queue_, nullptr};
    d.server_policy = server_;
    d.hostname = "mx.example.org";
    d.now = [] { return std::chrono::sys_seconds{1700000000s}; };
    auto n = std::make_shared<uint32_t>(0);
    d.random = [n] { return (*n)++; };
    return d;
  }
  UserReceiptOriginal stored(const std::string& bytes) {
    store::NewMessage m;
    m.blob = *blobs_.put(bytes);
    m.size = bytes.size();
    m.message_id = mime::message_id_of_message(bytes);
    bytes_ = bytes;
    UserReceiptOriginal o;
    o.location = {inbox_, store_.append(inbox_, m)->uid};
    o.message_id = m.message_id;
    o.bytes = bytes_;
    return o;
  }
  ComposeOptions manual() {
    ComposeOptions o;
    o.disposition.type = DispositionType::displayed;
    o.reporting_ua = "laptop.example.org; Foomail 1.0";
    return o;
  }
  Result<UserReceiptResult> send(const UserReceiptOriginal& o, ComposeOptions options) {
    return send_user_receipt(deps(), account_, o, std::move(options), store::ReceiptPath::jmap);
  }

  store::MemoryStore store_;
  blob::MemoryBlobStore blobs_;
  delivery::testing::RecordingQueue queue_;
  Config::Receipts server_;
  store::Account account_;
  AccountId bob_;
  MailboxId inbox_;
  std::string bytes_;
};

TEST_F(UserReceiptTest, ASenderThatFailedDmarcGetsNoReceipt) {
  UserReceiptOriginal o = stored(
      original("carol@remote.test",
               "Authentication-Results: mx.example.org; dmarc=fail (p=quarantine) "
               "header.from=remote.test\r\n"
               "Authentication-Results: forger.example; dmarc=pass header.from=remote.test\r\n"));
  auto r = send(o, manual());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->outcome, UserReceiptOutcome::forbidden);
  EXPECT_EQ(r->description,
            "no read receipt may be sent for this message (sender failed DMARC (p=quarantine))");
  EXPECT_TRUE(queue_.messages.empty());
  auto ledger = store_.list_receipts(bob_);
  EXPECT_TRUE(ledger->sent.empty());
  ASSERT_EQ(ledger->refused.size(), 1u);
  EXPECT_EQ(ledger->refused[0].path, store::ReceiptPath::jmap);
  EXPECT_EQ(ledger->refused[0].requester, "carol@remote.test");
  EXPECT_EQ(ledger->refused[0].message_id, "<plans@remote.test>");
  EXPECT_FALSE(store_.get_message(inbox_, o.location.uid)->keywords.contains(kMdnSentKeyword));
}

TEST_F(UserReceiptTest, AForgedDmarcFailOfAnotherHostIsIgnored) {
  UserReceiptOriginal o = stored(original(
      "carol@remote.test",
      "Authentication-Results: forger.example; dmarc=fail (p=reject) header.from=remote.test\r\n"));
  auto r = send(o, manual());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->outcome, UserReceiptOutcome::sent) << r->description;
  EXPECT_TRUE(store_.list_receipts(bob_)->refused.empty());
}

TEST_F(UserReceiptTest, SendsOneManualReceiptAndRecordsIt) {
  UserReceiptOriginal o = stored(original("carol@remote.test"));
  ComposeOptions options = manual();
  options.extension_fields.push_back({"X-Example", "example.com"});
  auto r = send(o, options);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->outcome, UserReceiptOutcome::sent) << r->description;
  EXPECT_EQ(r->queue_id, "Q1");
  EXPECT_EQ(r->composed.final_recipient, "rfc822; bob@example.org");
  EXPECT_EQ(r->composed.original_message_id, "<plans@remote.test>");
  EXPECT_EQ(r->composed.subject, "Read receipt (displayed): Plans");
  ASSERT_EQ(queue_.messages.size(), 1u);
  const std::string& body = queue_.messages[0].body;
  EXPECT_EQ(queue_.messages[0].envelope_sender, "");
  EXPECT_EQ(body.find("Auto-Submitted"), std::string::npos);
  auto parsed = parse_mdn_report(body);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->reporting_ua, "laptop.example.org; Foomail 1.0");
  EXPECT_EQ(parsed->final_recipient, "rfc822; bob@example.org");
  EXPECT_EQ(parsed->original_message_id, "<plans@remote.test>");
  EXPECT_EQ(parsed->disposition.action_mode, ActionMode::manual);
  EXPECT_EQ(parsed->disposition.sending_mode, SendingMode::manual);
  ASSERT_EQ(parsed->extension_fields.size(), 1u);
  EXPECT_EQ(parsed->extension_fields[0].first, "X-Example");
  EXPECT_EQ(parsed->extension_fields[0].second, "example.com");
  EXPECT_FALSE(parsed->includes_original);
  auto ledger = store_.list_receipts(bob_);
  ASSERT_EQ(ledger->sent.size(), 1u);
  EXPECT_EQ(ledger->sent[0].path, store::ReceiptPath::jmap);
  EXPECT_EQ(ledger->sent[0].message_id, "<plans@remote.test>");
  EXPECT_TRUE(store_.get_message(inbox_, o.location.uid)->keywords.contains(kMdnSentKeyword));

  // A second one, whatever `duplicates` says, is refused and nothing goes out.
  server_.duplicates = ReceiptDuplicates::drop;
  auto again = send(o, manual());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->outcome, UserReceiptOutcome::already_sent);
  EXPECT_EQ(again->description, "a read receipt was already sent for this message (jmap)");
  EXPECT_EQ(queue_.messages.size(), 1u);
}

TEST_F(UserReceiptTest, KeywordSetElsewhereCountsAsSent) {
  UserReceiptOriginal o = stored(original("carol@remote.test"));
  o.has_mdn_sent = true;
  auto r = send(o, manual());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, UserReceiptOutcome::already_sent);
  EXPECT_EQ(r->description, "$mdnsent keyword is already present");
  EXPECT_TRUE(queue_.messages.empty());
}

TEST_F(UserReceiptTest, Rfc8098RulesRefuseAndSendNothing) {
  struct Case {
    std::string bytes;
    UserReceiptOutcome outcome;
    RequestReason reason;
  };
  const Case cases[] = {
      {original("mallory@remote.test"), UserReceiptOutcome::forbidden,
       RequestReason::return_path_mismatch},
      {original("carol@remote.test", "List-Id: <plans.remote.test>\r\n"),
       UserReceiptOutcome::forbidden, RequestReason::list_mail},
      {original("carol@remote.test", "Auto-Submitted: auto-generated\r\n"),
       UserReceiptOutcome::forbidden, RequestReason::auto_submitted},
      {"Return-Path: <carol@remote.test>\r\nSubject: x\r\n\r\nHello\r\n",
       UserReceiptOutcome::no_request, RequestReason::no_request},
  };
  for (const Case& c : cases) {
    auto r = send(stored(c.bytes), manual());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, c.outcome) << c.bytes;
    EXPECT_EQ(r->reason, c.reason) << c.bytes;
  }
  EXPECT_EQ(send(stored(original("mallory@remote.test")), manual())->description,
            "no read receipt may be sent for this message (return-path-mismatch)");
  EXPECT_TRUE(queue_.messages.empty());
  EXPECT_TRUE(store_.list_receipts(bob_)->sent.empty());
}

TEST_F(UserReceiptTest, FinalRecipientMustBeTheAccounts) {
  UserReceiptOriginal o = stored(original("carol@remote.test"));
  ComposeOptions options = manual();
  options.final_recipient = "alice@example.org";
  auto r = send(o, options);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, UserReceiptOutcome::forbidden_from);
  EXPECT_TRUE(queue_.messages.empty());
}

TEST_F(UserReceiptTest, ValuesThatCannotGoIntoAReceiptAreInvalid) {
  UserReceiptOriginal o = stored(original("carol@remote.test"));
  const std::pair<std::string, std::string> fields[] = {
      {"Disposition", "x"}, {"X-Bad Name", "x"}, {"X-Ok", "line\r\nInjected: yes"}};
  for (const auto& [name, value] : fields) {
    ComposeOptions options = manual();
    options.extension_fields.push_back({name, value});
    auto r = send(o, options);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, UserReceiptOutcome::invalid) << name;
  }
  ComposeOptions options = manual();
  options.reporting_ua = "ua\r\nBcc: x@y";
  EXPECT_EQ(send(o, options)->outcome, UserReceiptOutcome::invalid);
  EXPECT_TRUE(queue_.messages.empty());
  EXPECT_TRUE(store_.list_receipts(bob_)->sent.empty());
}

TEST(ComposeMdn, ExactBytesWithTheOriginal) {
  const std::string bytes =
      "Return-Path: <carol@remote.test>\r\nSubject: Pl\xC3\xA4ne\r\n"
      "Message-ID: <p@remote.test>\r\nOriginal-Recipient: rfc822; BOB@example.org\r\n"
      "Disposition-Notification-To: carol@remote.test\r\n\r\nHi\r\n";
  ComposeOptions o;
  o.reporting_host = "mx.example.org";
  o.recipient_address = "bob@example.org";
  o.text_body = "Shown.";
  o.disposition = {ActionMode::automatic, SendingMode::automatic, DispositionType::processed, {}};
  o.include_original = IncludeOriginal::yes;
  o.now_utc_seconds = 1700000000;
  auto n = std::make_shared<uint32_t>(0);
  auto r = compose_mdn(detect_request(bytes), bytes, o, [n] { return (*n)++; });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->subject, "Read receipt (processed): Pl\xC3\xA4ne");
  EXPECT_EQ(r->original_recipient, "rfc822; BOB@example.org");
  EXPECT_EQ(r->mdn.message, kComposedWithOriginal);
}

TEST(ParseMdnReport, MalformedAndOversizedInput) {
  EXPECT_FALSE(parse_mdn_report(""));
  EXPECT_FALSE(parse_mdn_report("Subject: x\r\n\r\nbody"));
  const std::string head =
      "Content-Type: multipart/report; report-type=disposition-notification; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: message/disposition-notification\r\n\r\n";
  // Disposition missing, Final-Recipient twice, a Disposition outside the grammar.
  EXPECT_FALSE(parse_mdn_report(head + "Final-Recipient: rfc822; a@b\r\n\r\n--b--\r\n"));
  EXPECT_FALSE(parse_mdn_report(head +
                                "Final-Recipient: rfc822; a@b\r\nFinal-Recipient: rfc822; c@d\r\n"
                                "Disposition: manual-action/MDN-sent-manually; displayed\r\n"
                                "\r\n--b--\r\n"));
  EXPECT_FALSE(parse_mdn_report(head + "Final-Recipient: rfc822; a@b\r\nDisposition: displayed\r\n"
                                       "\r\n--b--\r\n"));
  // Oversized and control characters in optional fields: cut and made printable.
  const std::string long_ua(5000, 'u');
  auto r = parse_mdn_report(head + "Reporting-UA: " + long_ua +
                            "\r\nFinal-Recipient: rfc822; a@b\r\nError: bad\x01thing\r\n"
                            "Original-Message-ID: not an id\r\n"
                            "Disposition: Manual-Action/MDN-Sent-Manually; Deleted\r\n"
                            "\r\n--b--\r\n");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->reporting_ua, std::string(998, 'u'));
  EXPECT_EQ(r->errors, std::vector<std::string>{"bad thing"});
  EXPECT_EQ(r->original_message_id, std::nullopt);
  EXPECT_EQ(r->disposition.type, DispositionType::deleted);
  EXPECT_EQ(r->subject, std::nullopt);
  EXPECT_EQ(r->text_body, std::nullopt);
}

}  // namespace
}  // namespace postamt::mdn
