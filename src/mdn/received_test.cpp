#include "mdn/received.h"

#include <gtest/gtest.h>

#include "blob/memory_blob_store.h"
#include "delivery/transaction.h"
#include "store/memory/memory_store.h"

namespace postamt::mdn {
namespace {

using namespace std::chrono_literals;

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

// Receipts that arrive are seen through the delivery transaction's observer, as serve
// and `postamt deliver` wire it.
class ReceivedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.add_domain("example.org"));
    ASSERT_TRUE(store_.create_account("alice@example.org", "{X}"));
    ASSERT_TRUE(store_.create_account("bob@example.org", "{X}"));
    ASSERT_TRUE(store_.add_alias("team@example.org", {"alice@example.org", "bob@example.org"}));
  }
  Result<delivery::Committed> deliver(std::string_view to, std::string body) {
    delivery::Transaction t(delivery::Services{&store_, &blobs_, nullptr, &received_}, "");
    POSTAMT_TRY(t.add_recipient(to));
    t.set_body(std::move(body));
    return t.commit();
  }

  store::MemoryStore store_;
  blob::MemoryBlobStore blobs_;
  ReceivedReceipts received_{store_, [] { return std::chrono::sys_seconds(1700000000s); }};
};

TEST_F(ReceivedTest, RecordsADeliveredReceiptForEachLocalRecipient) {
  ASSERT_TRUE(deliver("team@example.org", receipt("Original-Message-ID: <Plans@Example.org>\r\n")));
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
    EXPECT_EQ(r.at, std::chrono::sys_seconds(1700000000s));
  }
}

TEST_F(ReceivedTest, ReceiptsWithoutOriginalMessageIdAndPlainMailAreNotRecorded) {
  ASSERT_TRUE(deliver("alice@example.org", receipt("")));
  ASSERT_TRUE(
      deliver("alice@example.org", "Message-ID: <m@remote.test>\r\nSubject: hi\r\n\r\nb\r\n"));
  auto alice = store_.find_account("alice@example.org");
  auto inbox = store_.find_mailbox_by_role(alice->id, MailboxRole::inbox);
  EXPECT_EQ(store_.list_messages(inbox->id)->size(), 2u);
  EXPECT_TRUE(store_.list_receipts(std::nullopt)->received.empty());
}

}  // namespace
}  // namespace postamt::mdn
