#include "delivery/transaction.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <regex>

#include "blob/memory_blob_store.h"
#include "delivery/message_log.h"
#include "delivery/testing/recording_queue.h"
#include "store/memory/memory_store.h"

namespace postamt::delivery {
namespace {

// Remembers what it was told, as the read-receipt layer would.
class RecordingObserver final : public DeliveryObserver {
 public:
  void delivered(const DeliveredMessage& message) override {
    std::string line = "<" + std::string(message.envelope_sender) + ">";
    for (const Delivered& d : *message.delivered)
      line += " " + d.address + ":" + std::to_string(d.where.uid);
    if (message.quarantined) line += " quarantined";
    seen.push_back(line);
    messages.emplace_back(message.message);
  }
  std::vector<std::string> seen;
  std::vector<std::string> messages;
};

class TransactionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.add_domain("example.org"));
    ASSERT_TRUE(store_.create_account("alice@example.org", "{X}"));
    ASSERT_TRUE(store_.create_account("bob@example.org", "{X}"));
    ASSERT_TRUE(store_.add_alias("team@example.org",
                                 {"alice@example.org", "bob@example.org", "carol@remote.test"}));
    ASSERT_TRUE(store_.add_alias("fwd@example.org", {"carol@remote.test"}));
  }

  std::vector<store::MessageRecord> inbox(std::string_view address,
                                          MailboxRole role = MailboxRole::inbox) {
    auto account = store_.find_account(address);
    auto mailbox = store_.find_mailbox_by_role(account->id, role);
    return *store_.list_messages(mailbox->id);
  }
  std::string bytes(const store::MessageRecord& m) { return *blobs_.get(m.blob); }

  Services services() { return Services{&store_, &blobs_, &queue_, &observer_}; }

  store::MemoryStore store_;
  blob::MemoryBlobStore blobs_;
  testing::RecordingQueue queue_;
  RecordingObserver observer_;
};

TEST_F(TransactionTest, DeliversOnceToEachAccountQueuesEachRemoteOnceAndStoresTheBlobOnce) {
  Transaction t(services(), "sender@remote.test");
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
  EXPECT_EQ(c->delivered[0].address, "alice@example.org");
  EXPECT_EQ(c->delivered[0].where.uid, 1u);
  EXPECT_EQ(c->delivered[1].address, "bob@example.org");
  EXPECT_EQ(c->remote, std::vector<std::string>{"carol@remote.test"});
  EXPECT_EQ(c->queue_id, "Q1");
  EXPECT_EQ(c->size, 21u);
  // The local copy records the reverse path (RFC 5321 §4.4); the queued one does not.
  const std::string local = "Return-Path: <sender@remote.test>\r\nSubject: hi\r\n\r\nbody\r\n";
  EXPECT_EQ(blobs_.list()->size(), 1u);
  EXPECT_EQ(*blobs_.get(c->blob), local);
  ASSERT_EQ(inbox("alice@example.org").size(), 1u);
  ASSERT_EQ(inbox("bob@example.org").size(), 1u);
  EXPECT_EQ(inbox("bob@example.org")[0].blob, c->blob);
  EXPECT_EQ(inbox("alice@example.org")[0].message_id, "");
  ASSERT_EQ(queue_.messages.size(), 1u);
  const OutboundMessage& q = queue_.messages[0];
  EXPECT_EQ(q.envelope_sender, "sender@remote.test");
  EXPECT_EQ(q.body, "Subject: hi\r\n\r\nbody\r\n");
  ASSERT_EQ(q.recipients.size(), 1u);
  EXPECT_EQ(q.recipients[0].address, "carol@remote.test");
  EXPECT_EQ(observer_.seen,
            std::vector<std::string>{"<sender@remote.test> alice@example.org:1 bob@example.org:1"});
  EXPECT_EQ(observer_.messages, std::vector<std::string>{local});
  EXPECT_FALSE(t.commit());  // at most once
}

TEST_F(TransactionTest, OneQueueIdNamesTheMessageInTheQueueAndEveryLogLine) {
  Transaction t(services(), "sender@remote.test");
  EXPECT_EQ(t.queue_id().size(), 12u);  // new_queue_id() until set
  t.set_queue_id("ABCDEF123456");
  ASSERT_TRUE(t.add_recipient("team@example.org"));
  ASSERT_TRUE(t.add_recipient("carol@remote.test"));
  t.set_body("Message-ID: <m1@remote.test>\r\n\r\nbody\r\n");
  auto c = t.commit();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->id, "ABCDEF123456");
  ASSERT_EQ(queue_.messages.size(), 1u);
  EXPECT_EQ(queue_.messages[0].queue_id, "ABCDEF123456");  // the queue is asked for it
  // This fake queue answers "Q1" whatever it is asked: the lines link the two ids.
  ::testing::internal::CaptureStderr();
  log_committed(t, *c);
  const std::string log = ::testing::internal::GetCapturedStderr();
  const std::regex shape(
      "[^\n]* postamt/cleanup\\[\\d+\\]: ABCDEF123456: message-id=<m1@remote\\.test>\n"
      "[^\n]* postamt/qmgr\\[\\d+\\]: ABCDEF123456: from=<sender@remote\\.test>, size=38, "
      "nrcpt=2 \\(queue active\\)\n"
      "[^\n]* postamt/local\\[\\d+\\]: ABCDEF123456: to=<alice@example\\.org>, relay=local, "
      "delay=\\d+\\.\\d, dsn=2\\.0\\.0, status=sent \\(delivered to INBOX\\)\n"
      "[^\n]* postamt/local\\[\\d+\\]: ABCDEF123456: to=<bob@example\\.org>, relay=local, "
      "delay=\\d+\\.\\d, dsn=2\\.0\\.0, status=sent \\(delivered to INBOX\\)\n"
      "[^\n]* postamt/qmgr\\[\\d+\\]: ABCDEF123456: remote part queued as Q1\n"
      "[^\n]* postamt/qmgr\\[\\d+\\]: ABCDEF123456: removed\n");
  EXPECT_TRUE(std::regex_match(log, shape)) << log;
}

TEST_F(TransactionTest, QueuedUnderItsOwnIdTheRemovalIsLeftToTheQueue) {
  Transaction t(services(), "");
  ASSERT_TRUE(t.add_recipient("carol@remote.test"));
  t.set_body("Subject: x\r\n\r\nbody\r\n");
  Committed c;
  c.id = t.queue_id();
  c.queue_id = t.queue_id();  // as a queue that took the id asked for answers
  c.size = 20;
  ::testing::internal::CaptureStderr();
  log_committed(t, c);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(
      log.ends_with(fmt::format("]: {}: from=<>, size=20, nrcpt=1 (queue active)\n", t.queue_id())))
      << log;
  EXPECT_EQ(log.find("removed"), std::string::npos) << log;
  EXPECT_EQ(format_delay(std::chrono::milliseconds(1299)), "1.2");
  EXPECT_EQ(format_delay(std::chrono::milliseconds(-5)), "0.0");
}

TEST_F(TransactionTest, StoresTheNormalisedMessageIdWithEveryCopy) {
  Transaction t(services(), "sender@remote.test");
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
  Transaction t(services(), "");
  auto r = t.add_recipient("nobody@example.org");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::not_found);
  EXPECT_EQ(t.recipient_count(), 0u);
  auto c = t.commit();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, "no recipients");
}

TEST_F(TransactionTest, RecipientLimit) {
  Transaction t(services(), "", Limits{2});
  ASSERT_TRUE(t.add_recipient("alice@example.org"));
  ASSERT_TRUE(t.add_recipient("bob@example.org"));
  auto r = t.add_recipient("alice@example.org");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::limit);
  EXPECT_EQ(r.error().message, "too many recipients (at most 2)");
}

TEST_F(TransactionTest, OnlyRemoteRecipientsStoreNothingLocally) {
  Transaction t(services(), "alice@example.org");
  ASSERT_TRUE(t.add_recipient("x@remote.test"));
  t.set_body("x");
  auto c = t.commit();
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->delivered.empty());
  EXPECT_TRUE(c->blob.empty());
  EXPECT_EQ(c->remote, std::vector<std::string>{"x@remote.test"});
  EXPECT_EQ(c->queue_id, "Q1");
  EXPECT_TRUE(blobs_.list()->empty());
  EXPECT_TRUE(observer_.seen.empty());
  ASSERT_EQ(queue_.messages.size(), 1u);
  EXPECT_EQ(queue_.messages[0].body, "x");
}

TEST_F(TransactionTest, WithoutAQueueRemoteAddressesAreRefusedAndNothingIsAdded) {
  Transaction t(Services{&store_, &blobs_, nullptr, nullptr}, "");
  EXPECT_FALSE(t.can_relay());
  ASSERT_TRUE(t.add_recipient("alice@example.org"));
  for (std::string_view address : {"x@remote.test", "fwd@example.org", "team@example.org"}) {
    auto r = t.add_recipient(address);
    ASSERT_FALSE(r) << address;
    EXPECT_EQ(r.error().kind, ErrorKind::permission);
    EXPECT_EQ(r.error().message, address == "x@remote.test"
                                     ? "x@remote.test is not a local address"
                                     : "carol@remote.test is not a local address");
  }
  EXPECT_EQ(t.recipient_count(), 1u);
  t.set_body("b");
  auto c = t.commit();
  ASSERT_TRUE(c);
  ASSERT_EQ(c->delivered.size(), 1u);
  EXPECT_TRUE(inbox("bob@example.org").empty());
}

// The one failure rule: no acknowledged message is lost, and a sender's retry after a
// refused enqueue does not leave a second local copy.
TEST_F(TransactionTest, AQueueFailureWithdrawsTheLocalCopiesAndTellsNobody) {
  queue_.failure = Error{ErrorKind::io, "disk full"};
  Transaction t(services(), "sender@remote.test");
  ASSERT_TRUE(t.add_recipient("team@example.org"));
  t.set_body("Subject: hi\r\n\r\nbody\r\n");
  auto c = t.commit();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ErrorKind::io);
  EXPECT_EQ(c.error().message, "disk full");
  EXPECT_TRUE(inbox("alice@example.org").empty());
  EXPECT_TRUE(inbox("bob@example.org").empty());
  EXPECT_TRUE(observer_.seen.empty());

  // The sender retries once the queue works again: exactly one copy everywhere.
  queue_.failure.reset();
  Transaction retry(services(), "sender@remote.test");
  ASSERT_TRUE(retry.add_recipient("team@example.org"));
  retry.set_body("Subject: hi\r\n\r\nbody\r\n");
  ASSERT_TRUE(retry.commit());
  EXPECT_EQ(inbox("alice@example.org").size(), 1u);
  EXPECT_EQ(inbox("bob@example.org").size(), 1u);
  EXPECT_EQ(queue_.messages.size(), 1u);
}

TEST_F(TransactionTest, DsnSettingsTravelWithTheQueuedCopyPerRecipient) {
  Transaction t(services(), "alice@example.org");
  RecipientOptions dave;
  dave.orcpt = OriginalRecipient{"rfc822", "d@r"};
  dave.notify = Notify{false, true, false, false};
  ASSERT_TRUE(t.add_recipient("dave@remote.test", dave));
  ASSERT_TRUE(t.add_recipient("fwd@example.org"));  // reaches carol with the defaults
  RecipientOptions again;
  again.notify = Notify{true, false, false, false};
  ASSERT_TRUE(t.add_recipient("DAVE@remote.test", again));  // the first options stay
  t.set_dsn(Ret::headers, "e1");
  t.set_body("b");
  ASSERT_TRUE(t.commit());
  ASSERT_EQ(queue_.messages.size(), 1u);
  const OutboundMessage& m = queue_.messages[0];
  EXPECT_EQ(m.envid, "e1");
  EXPECT_EQ(m.ret, Ret::headers);
  ASSERT_EQ(m.recipients.size(), 2u);
  EXPECT_EQ(m.recipients[0].address, "dave@remote.test");
  EXPECT_EQ(m.recipients[0].orcpt, "rfc822;d@r");
  EXPECT_TRUE(m.recipients[0].notify.success);
  EXPECT_FALSE(m.recipients[0].notify.failure);
  EXPECT_EQ(m.recipients[1].address, "carol@remote.test");
  EXPECT_EQ(m.recipients[1].orcpt, "");
  EXPECT_TRUE(m.recipients[1].notify.failure);
  EXPECT_TRUE(m.recipients[1].notify.delay);
}

// RFC 8098 §2.3: one stored copy serves every local recipient, so Original-Recipient
// is written only when they all gave the same ORCPT; client text cannot break the field.
TEST_F(TransactionTest, OriginalRecipientOnlyWhenEveryLocalRecipientAgrees) {
  RecipientOptions same;
  same.orcpt = OriginalRecipient{"rfc822", "team@example.org\r\nX-Evil: 1"};
  Transaction t(services(), "s@remote.test");
  ASSERT_TRUE(t.add_recipient("alice@example.org", same));
  ASSERT_TRUE(t.add_recipient("bob@example.org", same));
  ASSERT_TRUE(t.add_recipient("x@remote.test"));  // a remote one without ORCPT does not count
  t.set_body("b\r\n");
  ASSERT_TRUE(t.commit());
  EXPECT_EQ(bytes(inbox("bob@example.org")[0]),
            "Return-Path: <s@remote.test>\r\n"
            "Original-Recipient: rfc822;team@example.org  X-Evil: 1\r\nb\r\n");

  Transaction differ(services(), "");
  ASSERT_TRUE(differ.add_recipient("alice@example.org", same));
  ASSERT_TRUE(differ.add_recipient("bob@example.org"));
  differ.set_body("c\r\n");
  ASSERT_TRUE(differ.commit());
  EXPECT_EQ(bytes(inbox("bob@example.org")[1]), "Return-Path: <>\r\nc\r\n");
}

TEST_F(TransactionTest, ResetAllowsReuse) {
  Transaction t(services(), "");
  ASSERT_TRUE(t.add_recipient("alice@example.org"));
  t.set_dsn(Ret::full, "x");
  t.reset();
  EXPECT_EQ(t.recipient_count(), 0u);
  ASSERT_TRUE(t.add_recipient("bob@example.org"));
  ASSERT_TRUE(t.add_recipient("x@remote.test"));
  t.set_body("b");
  auto c = t.commit();
  ASSERT_TRUE(c);
  ASSERT_EQ(c->delivered.size(), 1u);
  EXPECT_EQ(c->delivered[0].address, "bob@example.org");
  EXPECT_TRUE(inbox("alice@example.org").empty());
  EXPECT_EQ(queue_.messages.at(0).ret, Ret::unspecified);
  EXPECT_EQ(queue_.messages.at(0).envid, "");
}

}  // namespace
}  // namespace postamt::delivery

namespace postamt::delivery {
namespace {

TEST_F(TransactionTest, QuarantineFilesLocalCopiesInJunkOrInboxWithoutJunkAndQueuesRemoteAsUsual) {
  // bob has no Junk mailbox any more: his copy goes to his INBOX.
  auto bob = store_.find_account("bob@example.org");
  auto bob_junk = store_.find_mailbox_by_role(bob->id, MailboxRole::junk);
  ASSERT_TRUE(bob_junk);
  ASSERT_TRUE(store_.delete_mailbox(bob_junk->id));

  Transaction t(services(), "forged@remote.test");
  ASSERT_TRUE(t.add_recipient("team@example.org"));
  t.set_body("Subject: spoof\r\n\r\nbody\r\n");
  t.set_quarantine(true);
  EXPECT_TRUE(t.quarantined());
  auto c = t.commit();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(inbox("alice@example.org").size(), 0u);
  EXPECT_EQ(inbox("alice@example.org", MailboxRole::junk).size(), 1u);
  EXPECT_EQ(inbox("bob@example.org").size(), 1u);
  ASSERT_EQ(queue_.messages.size(), 1u);
  EXPECT_EQ(observer_.seen, std::vector<std::string>{"<forged@remote.test> alice@example.org:1 "
                                                     "bob@example.org:1 quarantined"});

  t.reset();
  EXPECT_FALSE(t.quarantined());
}

}  // namespace
}  // namespace postamt::delivery
