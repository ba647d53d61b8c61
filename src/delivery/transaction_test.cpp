#include "delivery/transaction.h"

#include <gtest/gtest.h>

#include "blob/memory_blob_store.h"
#include "store/memory/memory_store.h"

namespace postamt::delivery {
namespace {

class TransactionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.add_domain("example.org"));
    ASSERT_TRUE(store_.create_account("alice@example.org", "{X}"));
    ASSERT_TRUE(store_.create_account("bob@example.org", "{X}"));
    ASSERT_TRUE(store_.add_alias("team@example.org",
                                 {"alice@example.org", "bob@example.org", "carol@remote.test"}));
  }

  std::vector<store::MessageRecord> inbox(std::string_view address) {
    auto account = store_.find_account(address);
    auto mailbox = store_.find_mailbox_by_role(account->id, MailboxRole::inbox);
    return *store_.list_messages(mailbox->id);
  }

  store::MemoryStore store_;
  blob::MemoryBlobStore blobs_;
};

TEST_F(TransactionTest, DeliversOnceToEachAccountAndStoresTheBlobOnce) {
  Transaction t(store_, blobs_, "sender@remote.test");
  auto a = t.add_recipient("Alice@Example.org");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->local, std::vector<std::string>{"alice@example.org"});
  auto team = t.add_recipient("team@example.org");
  ASSERT_TRUE(team);
  EXPECT_EQ(team->local, (std::vector<std::string>{"alice@example.org", "bob@example.org"}));
  EXPECT_EQ(team->remote, std::vector<std::string>{"carol@remote.test"});
  ASSERT_TRUE(t.add_recipient("CAROL@remote.test"));  // same remote address: queued once
  t.set_body("Subject: hi\r\n\r\nbody\r\n");
  auto c = t.commit();
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->delivered.size(), 2u);
  EXPECT_EQ(inbox("alice@example.org")[0].message_id, "");
  EXPECT_EQ(c->delivered[0].account, "alice@example.org");
  EXPECT_EQ(c->delivered[0].where.uid, 1u);
  EXPECT_EQ(c->delivered[1].account, "bob@example.org");
  EXPECT_EQ(c->remote, std::vector<std::string>{"carol@remote.test"});
  EXPECT_EQ(c->size, 21u);
  EXPECT_EQ(blobs_.list()->size(), 1u);
  EXPECT_EQ(*blobs_.get(c->blob), "Subject: hi\r\n\r\nbody\r\n");
  ASSERT_EQ(inbox("alice@example.org").size(), 1u);
  ASSERT_EQ(inbox("bob@example.org").size(), 1u);
  EXPECT_EQ(inbox("bob@example.org")[0].blob, c->blob);
  EXPECT_FALSE(t.commit());  // at most once
}

TEST_F(TransactionTest, StoresTheNormalisedMessageIdWithEveryCopy) {
  Transaction t(store_, blobs_, "sender@remote.test");
  ASSERT_TRUE(t.add_recipient("team@example.org"));
  t.set_body("Message-ID: (c)\r\n <\"a.b\"@remote.test>\r\nSubject: hi\r\n\r\nbody\r\n");
  ASSERT_TRUE(t.commit());
  EXPECT_EQ(inbox("alice@example.org")[0].message_id, "<a.b@remote.test>");
  EXPECT_EQ(inbox("bob@example.org")[0].message_id, "<a.b@remote.test>");
  auto alice = store_.find_account("alice@example.org");
  ASSERT_TRUE(alice);
  EXPECT_EQ(store_.find_messages_by_message_id(alice->id, "<a.b@remote.test>")->size(), 1u);
  // reset() forgets it with the body.
  t.reset();
  ASSERT_TRUE(t.add_recipient("alice@example.org"));
  t.set_body("Subject: none\r\n\r\nbody\r\n");
  ASSERT_TRUE(t.commit());
  EXPECT_EQ(inbox("alice@example.org")[1].message_id, "");
}

TEST_F(TransactionTest, UnknownLocalUserIsNotFoundAndAddsNothing) {
  Transaction t(store_, blobs_, "");
  auto r = t.add_recipient("nobody@example.org");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::not_found);
  EXPECT_EQ(t.recipient_count(), 0u);
  auto c = t.commit();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, "no recipients");
}

TEST_F(TransactionTest, RecipientLimit) {
  Transaction t(store_, blobs_, "", Limits{2});
  ASSERT_TRUE(t.add_recipient("alice@example.org"));
  ASSERT_TRUE(t.add_recipient("bob@example.org"));
  auto r = t.add_recipient("alice@example.org");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::limit);
  EXPECT_EQ(r.error().message, "too many recipients (at most 2)");
}

TEST_F(TransactionTest, OnlyRemoteRecipientsStoreNothing) {
  Transaction t(store_, blobs_, "alice@example.org");
  ASSERT_TRUE(t.add_recipient("x@remote.test"));
  t.set_body("x");
  auto c = t.commit();
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->delivered.empty());
  EXPECT_EQ(c->remote, std::vector<std::string>{"x@remote.test"});
  EXPECT_TRUE(blobs_.list()->empty());
}

TEST_F(TransactionTest, ResetAllowsReuse) {
  Transaction t(store_, blobs_, "");
  ASSERT_TRUE(t.add_recipient("alice@example.org"));
  t.reset();
  EXPECT_EQ(t.recipient_count(), 0u);
  ASSERT_TRUE(t.add_recipient("bob@example.org"));
  t.set_body("b");
  auto c = t.commit();
  ASSERT_TRUE(c);
  ASSERT_EQ(c->delivered.size(), 1u);
  EXPECT_EQ(c->delivered[0].account, "bob@example.org");
  EXPECT_TRUE(inbox("alice@example.org").empty());
}

std::string receipt(std::string_view original_message_id_field) {
  return "From: carol@remote.test\r\nTo: alice@example.org\r\nSubject: Read\r\n"
         "MIME-Version: 1.0\r\n"
         "Content-Type: multipart/report; report-type=disposition-notification;\r\n"
         " boundary=\"b1\"\r\n\r\n"
         "--b1\r\nContent-Type: text/plain\r\n\r\nIt was displayed.\r\n"
         "--b1\r\nContent-Type: message/disposition-notification\r\n\r\n"
         "Reporting-UA: mail.remote.test; Client\r\n"
         "Final-Recipient: rfc822; carol@remote.test\r\n" +
         std::string(original_message_id_field) +
         "Disposition: manual-action/MDN-sent-manually; displayed\r\n"
         "\r\n--b1--\r\n";
}

TEST_F(TransactionTest, RecordsADeliveredReceiptForEachLocalRecipient) {
  Transaction t(store_, blobs_, "");
  ASSERT_TRUE(t.add_recipient("team@example.org"));
  t.set_body("Return-Path: <>\r\n" + receipt("Original-Message-ID: <Plans@Example.org>\r\n"));
  ASSERT_TRUE(t.commit());
  auto ledger = store_.list_receipts(std::nullopt);
  ASSERT_TRUE(ledger);
  EXPECT_TRUE(ledger->sent.empty());
  ASSERT_EQ(ledger->received.size(), 2u);
  EXPECT_EQ(ledger->received[0].account_address, "alice@example.org");
  EXPECT_EQ(ledger->received[1].account_address, "bob@example.org");
  for (const auto& r : ledger->received) {
    EXPECT_EQ(r.message_id, "<Plans@Example.org>");
    EXPECT_EQ(r.final_recipient, "carol@remote.test");
    EXPECT_EQ(r.disposition, "displayed");
  }
}

TEST_F(TransactionTest, ReceiptsWithoutOriginalMessageIdAndPlainMailAreNotRecorded) {
  Transaction t(store_, blobs_, "");
  ASSERT_TRUE(t.add_recipient("alice@example.org"));
  t.set_body(receipt(""));
  ASSERT_TRUE(t.commit());
  Transaction plain(store_, blobs_, "carol@remote.test");
  ASSERT_TRUE(plain.add_recipient("alice@example.org"));
  plain.set_body("Message-ID: <m@remote.test>\r\nSubject: hi\r\n\r\nbody\r\n");
  ASSERT_TRUE(plain.commit());
  EXPECT_EQ(inbox("alice@example.org").size(), 2u);
  EXPECT_TRUE(store_.list_receipts(std::nullopt)->received.empty());
}

}  // namespace
}  // namespace postamt::delivery
