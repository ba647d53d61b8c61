#include "mdn/submission.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "blob/memory_blob_store.h"
#include "mime/message_id.h"
#include "store/api/receipt_rules.h"
#include "store/memory/memory_store.h"

namespace postamt::mdn {
namespace {

using namespace std::chrono_literals;

std::string client_receipt(std::string_view omid_field, std::string_view disposition_fields) {
  return "From: alice@example.org\r\nTo: bob@example.org\r\nSubject: Read: Plans\r\n"
         "MIME-Version: 1.0\r\n"
         "Content-Type: multipart/report; report-type=disposition-notification;\r\n"
         " boundary=\"r\"\r\n\r\n"
         "--r\r\nContent-Type: text/plain\r\n\r\nDisplayed.\r\n"
         "--r\r\nContent-Type: message/disposition-notification\r\n\r\n"
         "Reporting-UA: laptop; Client\r\n"
         "Final-Recipient: rfc822; alice@example.org\r\n" +
         std::string(omid_field) + std::string(disposition_fields) + "\r\n--r--\r\n";
}

std::string receipt_for(std::string_view message_id) {
  return client_receipt("Original-Message-ID: " + std::string(message_id) + "\r\n",
                        "Disposition: manual-action/MDN-sent-manually; displayed\r\n");
}

class SubmissionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.add_domain("example.org"));
    alice_ = *store_.create_account("alice@example.org", "h");
    inbox_ = store_.find_mailbox(alice_, "INBOX")->id;
    const std::string original =
        "Return-Path: <bob@example.org>\r\nFrom: bob@example.org\r\nTo: alice@example.org\r\n"
        "Message-ID: <plans@example.org>\r\nDisposition-Notification-To: bob@example.org\r\n"
        "\r\nHello\r\n";
    store::NewMessage m;
    m.blob = *blobs_.put(original);
    m.size = original.size();
    m.message_id = mime::message_id_of_message(original);
    uid_ = store_.append(inbox_, m)->uid;
  }
  ClientReceiptCheck checker() {
    SubmissionDependencies d;
    d.store = &store_;
    d.blobs = &blobs_;
    d.hostname = "mx.example.org";
    d.server_policy = server_;
    d.now = [] { return std::chrono::sys_seconds(1700000000s); };
    return ClientReceiptCheck(std::move(d));
  }
  // Another original in alice's INBOX, from a remote sender, with these header fields on top.
  void deliver_remote(std::string_view fields, std::string_view message_id) {
    const std::string bytes = std::string(fields) +
                              "Return-Path: <carol@remote.test>\r\nFrom: carol@remote.test\r\n"
                              "To: alice@example.org\r\nMessage-ID: " +
                              std::string(message_id) +
                              "\r\nDisposition-Notification-To: carol@remote.test\r\n\r\nHi\r\n";
    store::NewMessage m;
    m.blob = *blobs_.put(bytes);
    m.size = bytes.size();
    m.message_id = std::string(message_id);
    ASSERT_TRUE(store_.append(inbox_, m));
  }
  Result<ClientReceiptDecision> submit(ClientReceiptCheck& c, const std::string& message) {
    return c.decide("alice@example.org", {"bob@example.org"}, message);
  }

  store::MemoryStore store_;
  blob::MemoryBlobStore blobs_;
  Config::Receipts server_;
  AccountId alice_;
  MailboxId inbox_;
  Uid uid_ = 0;
};

TEST_F(SubmissionTest, PlainMailIsAcceptedAndNotRecorded) {
  ClientReceiptCheck c = checker();
  auto d = submit(c, "From: alice@example.org\r\nSubject: hi\r\n\r\nbody\r\n");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->verdict, ClientReceiptVerdict::accept);
  EXPECT_EQ(d->reason, "not-a-receipt");
  EXPECT_TRUE(store_.list_receipts(std::nullopt)->sent.empty());
}

TEST_F(SubmissionTest, FirstReceiptIsRecordedAndFlagsTheOriginal) {
  ClientReceiptCheck c = checker();
  auto d = submit(c, receipt_for("<plans@example.org>"));
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->verdict, ClientReceiptVerdict::accept);
  EXPECT_EQ(d->reason, "recorded");
  EXPECT_EQ(d->message_id, "<plans@example.org>");
  auto ledger = store_.list_receipts(alice_);
  ASSERT_EQ(ledger->sent.size(), 1u);
  EXPECT_EQ(ledger->sent[0].path, store::ReceiptPath::client_submission);
  EXPECT_EQ(ledger->sent[0].message_id, "<plans@example.org>");
  EXPECT_EQ(ledger->sent[0].requester, "bob@example.org");
  EXPECT_EQ(ledger->sent[0].disposition, "displayed");
  EXPECT_EQ(ledger->sent[0].at, std::chrono::sys_seconds(1700000000s));
  EXPECT_EQ(ledger->sent[0].matched_by, store::ReceiptMatch::original_message_id);
  EXPECT_TRUE(store_.get_message(inbox_, uid_)->keywords.contains(kMdnSentKeyword));
}

TEST_F(SubmissionTest, AReceiptForASenderThatFailedDmarcIsDroppedAndRecordedAsRefused) {
  deliver_remote(
      "Authentication-Results: mx.example.org; dmarc=fail (p=reject dis=reject)\r\n"
      " header.from=remote.test\r\n",
      "<forged@remote.test>");
  // Even when duplicates are rejected: the client did nothing wrong.
  ASSERT_TRUE(store_.set_policy_override(store::PolicyScope::user, "alice@example.org",
                                         "duplicates", "reject"));
  ClientReceiptCheck c = checker();
  auto d =
      c.decide("alice@example.org", {"carol@remote.test"}, receipt_for("<forged@remote.test>"));
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->verdict, ClientReceiptVerdict::drop);
  EXPECT_EQ(d->reason, "refused-dmarc");
  EXPECT_EQ(d->refusal, "sender failed DMARC (p=reject)");
  EXPECT_EQ(d->text, "");
  auto ledger = store_.list_receipts(alice_);
  EXPECT_TRUE(ledger->sent.empty());
  ASSERT_EQ(ledger->refused.size(), 1u);
  EXPECT_EQ(ledger->refused[0].path, store::ReceiptPath::client_submission);
  EXPECT_EQ(ledger->refused[0].message_id, "<forged@remote.test>");
  EXPECT_EQ(ledger->refused[0].requester, "carol@remote.test");
  EXPECT_EQ(ledger->refused[0].reason, "sender failed DMARC (p=reject)");
  // Through the delivery::SubmissionCheck interface: accepted, nothing delivered.
  const std::vector<std::string> to{"carol@remote.test"};
  const std::string again = receipt_for("<forged@remote.test>");
  auto verdict =
      c.check(delivery::Submission{"alice@example.org", "alice@example.org", &to, again});
  ASSERT_TRUE(verdict) << verdict.error().message;
  EXPECT_EQ(verdict->verdict, delivery::SubmissionVerdict::drop);
  EXPECT_EQ(store_.list_receipts(alice_)->refused.size(), 1u);
}

TEST_F(SubmissionTest, AForgedDmarcFailOfAnotherHostDoesNotCount) {
  deliver_remote("Authentication-Results: forger.example; dmarc=fail (p=reject)\r\n",
                 "<fine@remote.test>");
  ClientReceiptCheck c = checker();
  auto d = c.decide("alice@example.org", {"carol@remote.test"}, receipt_for("<fine@remote.test>"));
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->verdict, ClientReceiptVerdict::accept);
  EXPECT_EQ(d->reason, "recorded");
  EXPECT_TRUE(store_.list_receipts(alice_)->refused.empty());
}

TEST_F(SubmissionTest, ADuplicateIsDroppedByDefault) {
  ClientReceiptCheck c = checker();
  ASSERT_EQ(submit(c, receipt_for("<plans@example.org>"))->verdict, ClientReceiptVerdict::accept);
  auto d = submit(c, receipt_for("<plans@example.org>"));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->verdict, ClientReceiptVerdict::drop);
  EXPECT_EQ(d->reason, "duplicate");
  EXPECT_EQ(d->text, "");
  EXPECT_EQ(store_.list_receipts(alice_)->sent.size(), 1u);
}

TEST_F(SubmissionTest, ADuplicateIsRejectedWhenTheUsersPolicySaysSo) {
  ASSERT_TRUE(store_.set_policy_override(store::PolicyScope::user, "alice@example.org",
                                         "duplicates", "reject"));
  ClientReceiptCheck c = checker();
  ASSERT_TRUE(submit(c, receipt_for("<plans@example.org>")));
  auto d = submit(c, receipt_for("<plans@example.org>"));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->verdict, ClientReceiptVerdict::reject);
  EXPECT_EQ(d->text, "A read receipt was already sent for <plans@example.org>");
}

// What every submission path sees (delivery/submission_check.h): the same decision as a
// verdict, the refusal's words with it.
TEST_F(SubmissionTest, AsTheSubmissionCheckOfEveryPath) {
  ASSERT_TRUE(store_.set_policy_override(store::PolicyScope::user, "alice@example.org",
                                         "duplicates", "reject"));
  ClientReceiptCheck c = checker();
  delivery::SubmissionCheck& hook = c;
  const std::vector<std::string> to = {"bob@example.org"};
  const std::string receipt = receipt_for("<plans@example.org>");
  delivery::Submission submission{"alice@example.org", "alice@example.org", &to, receipt};
  auto first = hook.check(submission);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->verdict, delivery::SubmissionVerdict::accept);
  auto second = hook.check(submission);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->verdict, delivery::SubmissionVerdict::reject);
  EXPECT_EQ(second->text, "A read receipt was already sent for <plans@example.org>");
  ASSERT_TRUE(store_.set_policy_override(store::PolicyScope::user, "alice@example.org",
                                         "duplicates", "drop"));
  auto third = hook.check(submission);
  ASSERT_TRUE(third);
  EXPECT_EQ(third->verdict, delivery::SubmissionVerdict::drop);
  EXPECT_EQ(third->text, "");
}

TEST_F(SubmissionTest, AServerReceiptMakesTheClientsADuplicate) {
  store::NewSentReceipt server;
  server.account = alice_;
  server.message = store::MessageLocation{inbox_, uid_};
  server.requester = "bob@example.org";
  server.disposition = "displayed";
  server.path = store::ReceiptPath::server_on_download;
  ASSERT_TRUE(store_.record_receipt(server, store::ReceiptUniqueness::one_per_recipient));
  ClientReceiptCheck c = checker();
  EXPECT_EQ(submit(c, receipt_for("<plans@example.org>"))->verdict, ClientReceiptVerdict::drop);
}

TEST_F(SubmissionTest, LegacyPolicyRecordsAndAcceptsEveryReceipt) {
  server_.one_per_recipient = false;
  ClientReceiptCheck c = checker();
  EXPECT_EQ(submit(c, receipt_for("<plans@example.org>"))->verdict, ClientReceiptVerdict::accept);
  EXPECT_EQ(submit(c, receipt_for("<plans@example.org>"))->verdict, ClientReceiptVerdict::accept);
  EXPECT_EQ(store_.list_receipts(alice_)->sent.size(), 2u);
}

TEST_F(SubmissionTest, AnUnknownOriginalIsRecordedByItsMessageIdAndRelayed) {
  ClientReceiptCheck c = checker();
  auto d = submit(c, receipt_for("<elsewhere@remote.test>"));
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->verdict, ClientReceiptVerdict::accept);
  EXPECT_EQ(d->reason, "recorded-original-not-found");
  auto ledger = store_.list_receipts(alice_);
  ASSERT_EQ(ledger->sent.size(), 1u);
  EXPECT_EQ(ledger->sent[0].message_id, "<elsewhere@remote.test>");
  EXPECT_FALSE(store_.get_message(inbox_, uid_)->keywords.contains(kMdnSentKeyword));
  EXPECT_EQ(submit(c, receipt_for("<elsewhere@remote.test>"))->verdict, ClientReceiptVerdict::drop);
}

TEST_F(SubmissionTest, AKeywordTheClientSetItselfIsNotADuplicate) {
  FlagUpdate update;
  update.keywords.add("$MDNSent");
  ASSERT_TRUE(store_.update_flags(inbox_, {uid_}, update));
  ClientReceiptCheck c = checker();
  EXPECT_EQ(submit(c, receipt_for("<plans@example.org>"))->reason, "recorded");
}

TEST_F(SubmissionTest, MalformedReceiptsAreRelayedUnrecorded) {
  ClientReceiptCheck c = checker();
  auto bad = submit(c, client_receipt("Original-Message-ID: <plans@example.org>\r\n", ""));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->verdict, ClientReceiptVerdict::accept);
  EXPECT_EQ(bad->reason, "malformed");
  EXPECT_TRUE(store_.list_receipts(alice_)->sent.empty());
}

// A receipt without Original-Message-ID (RFC 8098 §3.2.5) whose own header names the
// original as a reply does (RFC 5322 §3.6.4).
std::string receipt_without_original_id(std::string_view header_fields) {
  return std::string(header_fields) +
         client_receipt("", "Disposition: manual-action/MDN-sent-manually; displayed\r\n");
}

TEST_F(SubmissionTest, WithoutOriginalMessageIdInReplyToMatchesAndDeduplicates) {
  ClientReceiptCheck c = checker();
  const std::string receipt = receipt_without_original_id(
      "In-Reply-To: <plans@example.org>\r\n"
      "References: <older@example.org> <plans@example.org>\r\n");
  ::testing::internal::CaptureStderr();
  auto first = submit(c, receipt);
  auto second = submit(c, receipt);
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->verdict, ClientReceiptVerdict::accept);
  EXPECT_EQ(first->reason, "recorded");
  EXPECT_EQ(first->message_id, "<plans@example.org>");
  EXPECT_EQ(first->matched_by, store::ReceiptMatch::in_reply_to);
  EXPECT_TRUE(store_.get_message(inbox_, uid_)->keywords.contains(kMdnSentKeyword));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->verdict, ClientReceiptVerdict::drop);
  EXPECT_EQ(second->reason, "duplicate");
  auto ledger = store_.list_receipts(alice_);
  ASSERT_EQ(ledger->sent.size(), 1u);
  EXPECT_EQ(ledger->sent[0].message_id, "<plans@example.org>");
  EXPECT_EQ(ledger->sent[0].matched_by, store::ReceiptMatch::in_reply_to);
  const std::string prefix = fmt::format("postamt/mdn[{}]: ", getpid());
  EXPECT_NE(log.find(prefix + "account=alice@example.org message_id=<plans@example.org> "
                              "to=bob@example.org matched_by=in-reply-to disposition=displayed "
                              "client receipt: sent (recorded)\n"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find(prefix + "account=alice@example.org message_id=<plans@example.org> "
                              "to=bob@example.org matched_by=in-reply-to client receipt: "
                              "suppressed duplicate (dropped), already sent by "
                              "client_submission to bob@example.org\n"),
            std::string::npos)
      << log;
  // The same receipt with Original-Message-ID is a duplicate of it too, and is refused
  // with the words every duplicate gets.
  ASSERT_TRUE(store_.set_policy_override(store::PolicyScope::user, "alice@example.org",
                                         "duplicates", "reject"));
  auto third = submit(c, receipt_for("<plans@example.org>"));
  ASSERT_TRUE(third);
  EXPECT_EQ(third->verdict, ClientReceiptVerdict::reject);
  EXPECT_EQ(third->matched_by, store::ReceiptMatch::original_message_id);
  EXPECT_EQ(third->text, "A read receipt was already sent for <plans@example.org>");
}

TEST_F(SubmissionTest, InReplyToThatNamesNothingFallsBackToTheLastReference) {
  ClientReceiptCheck c = checker();
  // In-Reply-To names a message alice does not have; so does an older reference: only
  // the last msg-id of References is the parent (RFC 5322 §3.6.4).
  auto d = submit(c, receipt_without_original_id(
                         "In-Reply-To: <unknown@example.org>\r\n"
                         "References: <plans@example.org>\r\n <unknown@example.org>\r\n"));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->reason, "unmatched");
  d = submit(c, receipt_without_original_id("In-Reply-To: <unknown@example.org>\r\n"
                                            "References: <x@y> <plans@example.org>\r\n"));
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->verdict, ClientReceiptVerdict::accept);
  EXPECT_EQ(d->reason, "recorded");
  EXPECT_EQ(d->matched_by, store::ReceiptMatch::references);
  EXPECT_EQ(d->message_id, "<plans@example.org>");
  auto dup = submit(c, receipt_without_original_id("References: <plans@example.org>\r\n"));
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->verdict, ClientReceiptVerdict::drop);
  auto ledger = store_.list_receipts(alice_);
  ASSERT_EQ(ledger->sent.size(), 2u);
  EXPECT_EQ(ledger->sent[0].matched_by, store::ReceiptMatch::unmatched);
  EXPECT_EQ(ledger->sent[1].matched_by, store::ReceiptMatch::references);
}

// Nothing names a message of the user: the receipt is relayed, every time, and each is
// logged and kept in the ledger as unmatched.
TEST_F(SubmissionTest, AReceiptThatMatchesNothingIsRelayedAndRecordedAsUnmatched) {
  ClientReceiptCheck c = checker();
  const std::string receipt = receipt_without_original_id("");
  ::testing::internal::CaptureStderr();
  auto first = submit(c, receipt);
  auto second = submit(c, receipt);
  const std::string log = ::testing::internal::GetCapturedStderr();
  for (const Result<ClientReceiptDecision>* d : {&first, &second}) {
    ASSERT_TRUE(*d) << d->error().message;
    EXPECT_EQ((*d)->verdict, ClientReceiptVerdict::accept);
    EXPECT_EQ((*d)->reason, "unmatched");
    EXPECT_EQ((*d)->message_id, "");
    EXPECT_EQ((*d)->matched_by, store::ReceiptMatch::unmatched);
  }
  const std::string line = fmt::format(
      "postamt/mdn[{}]: account=alice@example.org message_id=none to=bob@example.org "
      "matched_by=unmatched disposition=displayed client receipt: sent (unmatched)\n",
      getpid());
  const size_t at = log.find(line);
  ASSERT_NE(at, std::string::npos) << log;
  EXPECT_NE(log.find(line, at + line.size()), std::string::npos) << log;
  auto ledger = store_.list_receipts(alice_);
  ASSERT_EQ(ledger->sent.size(), 2u);
  for (const store::SentReceipt& r : ledger->sent) {
    EXPECT_EQ(r.message_id, "");
    EXPECT_EQ(r.requester, "bob@example.org");
    EXPECT_EQ(r.matched_by, store::ReceiptMatch::unmatched);
  }
  EXPECT_FALSE(store_.get_message(inbox_, uid_)->keywords.contains(kMdnSentKeyword));
}

// Original-Message-ID decides even when it names nothing stored: In-Reply-To is not
// consulted then (RFC 8098 §3.2.5).
TEST_F(SubmissionTest, OriginalMessageIdWinsOverInReplyTo) {
  ClientReceiptCheck c = checker();
  auto d = submit(c, "In-Reply-To: <plans@example.org>\r\n" + receipt_for("<gone@example.org>"));
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->reason, "recorded-original-not-found");
  EXPECT_EQ(d->message_id, "<gone@example.org>");
  EXPECT_EQ(d->matched_by, store::ReceiptMatch::original_message_id);
  EXPECT_FALSE(store_.get_message(inbox_, uid_)->keywords.contains(kMdnSentKeyword));
}

}  // namespace
}  // namespace postamt::mdn
