#include "mail/messages.h"

#include <gtest/gtest.h>

#include "blob/memory_blob_store.h"
#include "mail/flags.h"
#include "store/memory/memory_store.h"

namespace postamt::mail {
namespace {

using namespace std::chrono_literals;

class MessagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.add_domain("example.org"));
    alice_ = *store_.create_account("alice@example.org", "{X}");
    bob_ = *store_.create_account("bob@example.org", "{X}");
    inbox_ = store_.find_mailbox(alice_, "INBOX")->id;
    archive_ = store_.find_mailbox(alice_, "Archive")->id;
    bobs_inbox_ = store_.find_mailbox(bob_, "INBOX")->id;
  }
  Uid append(std::string_view bytes, NewFlags flags = {}) {
    auto appended =
        append_message(store_, blobs_, inbox_, bytes, flags, store::InternalDate(1700000000s));
    EXPECT_TRUE(appended) << appended.error().message;
    return appended ? appended->uid : 0;
  }

  store::MemoryStore store_;
  blob::MemoryBlobStore blobs_;
  AccountId alice_, bob_;
  MailboxId inbox_, archive_, bobs_inbox_;
};

constexpr std::string_view kMessage =
    "From: Bob <bob@example.org>\r\nSubject: Plans\r\nMessage-ID: <Plans@Example.org>\r\n"
    "\r\nHello\r\n";

TEST_F(MessagesTest, DescribeReadsWhatTheStoreKeeps) {
  store::NewMessage m = describe_message(kMessage, store::InternalDate(5s));
  EXPECT_EQ(m.size, kMessage.size());
  EXPECT_EQ(m.internal_date, store::InternalDate(5s));
  EXPECT_EQ(m.message_id, "<Plans@Example.org>");
  ASSERT_TRUE(m.envelope_header.has_value());
  EXPECT_NE(m.envelope_header->find("Subject: Plans\r\n"), std::string::npos);
  EXPECT_EQ(m.thread_refs, "");
  EXPECT_TRUE(m.blob.empty());
  EXPECT_TRUE(describe_message("no header at all", store::InternalDate(5s)).message_id.empty());
  // RFC 5256 §3: the References ids, else the first In-Reply-To id.
  store::NewMessage reply = describe_message(
      "In-Reply-To: <b@x>\r\nReferences: <a@x>\r\n <\"b\"@x>\r\n\r\nbody <c@x>\r\n",
      store::InternalDate(5s));
  EXPECT_EQ(reply.thread_refs, "<a@x> <b@x>");
}

TEST_F(MessagesTest, AppendStoresTheBytesOnceWithFlagsAndDate) {
  NewFlags flags{{SystemFlag::seen}, {"$Work"}};
  Uid uid = append(kMessage, flags);
  auto record = store_.get_message(inbox_, uid);
  ASSERT_TRUE(record);
  EXPECT_EQ(*blobs_.get(record->blob), kMessage);
  EXPECT_TRUE(record->flags.has(SystemFlag::seen));
  EXPECT_TRUE(record->keywords.contains("$work"));
  EXPECT_EQ(record->internal_date, store::InternalDate(1700000000s));
  EXPECT_EQ(record->message_id, "<Plans@Example.org>");
  EXPECT_EQ(record->size, kMessage.size());
}

TEST_F(MessagesTest, AppendRefusesWhatNoClientMayStore) {
  auto empty = append_message(store_, blobs_, inbox_, "", {}, internal_date_now());
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().kind, ErrorKind::invalid);
  EXPECT_EQ(empty.error().message, "Empty message");
  NewFlags many;
  for (size_t i = 0; i <= kMaxKeywordsPerMessage; ++i) many.keywords.add("k" + std::to_string(i));
  auto limited = append_message(store_, blobs_, inbox_, kMessage, many, internal_date_now());
  ASSERT_FALSE(limited);
  EXPECT_EQ(limited.error().kind, ErrorKind::limit);
  auto missing = append_message(store_, blobs_, MailboxId{999}, kMessage, {}, internal_date_now());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
  EXPECT_TRUE(store_.list_messages(inbox_)->empty());
}

// Every way in stores CRLF, so every protocol serves the same bytes.
TEST_F(MessagesTest, BareLineFeedsAreStoredAsCrlf) {
  Uid uid = append("Subject: lf\n\nbody\nend\r\n");
  auto record = store_.get_message(inbox_, uid);
  EXPECT_EQ(*blobs_.get(record->blob), "Subject: lf\r\n\r\nbody\r\nend\r\n");
  EXPECT_EQ(record->size, 26u);
}

// A message streamed into the blob store in pieces is appended from there.
TEST_F(MessagesTest, AppendStoredMessage) {
  auto writer = blobs_.begin_put();
  ASSERT_TRUE((*writer)->append(kMessage.substr(0, 10)));
  ASSERT_TRUE((*writer)->append(kMessage.substr(10)));
  auto ref = (*writer)->finish();
  ASSERT_TRUE(ref);
  auto appended = append_stored_message(store_, blobs_, inbox_, *ref, NewFlags{{}, {"$Work"}},
                                        store::InternalDate(7s));
  ASSERT_TRUE(appended) << appended.error().message;
  auto record = store_.get_message(inbox_, appended->uid);
  EXPECT_EQ(record->blob, *ref);
  EXPECT_EQ(record->size, kMessage.size());
  EXPECT_EQ(record->message_id, "<Plans@Example.org>");
  EXPECT_TRUE(record->keywords.contains("$work"));
  auto empty =
      append_stored_message(store_, blobs_, inbox_, *blobs_.put(""), {}, store::InternalDate(7s));
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().message, "Empty message");
  auto gone = append_stored_message(store_, blobs_, inbox_, blob::blob_ref_of("never"), {},
                                    store::InternalDate(7s));
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, ErrorKind::not_found);
}

TEST_F(MessagesTest, CopyAndMoveStayInsideTheAccount) {
  Uid a = append(kMessage, NewFlags{{SystemFlag::flagged}, {}});
  Uid b = append("Subject: two\r\n\r\nx\r\n");
  auto copied = transfer_messages(store_, alice_, inbox_, {a, 77}, archive_, Transfer::copy);
  ASSERT_TRUE(copied) << copied.error().message;
  ASSERT_EQ(copied->mapping.size(), 1u);
  EXPECT_EQ(copied->mapping[0], (store::UidMapping{a, 1}));
  EXPECT_TRUE(store_.get_message(archive_, 1)->flags.has(SystemFlag::flagged));
  auto moved = transfer_messages(store_, alice_, inbox_, {b}, archive_, Transfer::move);
  ASSERT_TRUE(moved);
  EXPECT_EQ(store_.list_messages(inbox_)->size(), 1u);
  EXPECT_EQ(store_.list_messages(archive_)->size(), 2u);
  // Users can never reach each other's mail: another account's mailbox is "not found"
  // as either end, and nothing moves.
  for (auto [source, destination] :
       {std::pair{inbox_, bobs_inbox_}, std::pair{bobs_inbox_, inbox_}}) {
    auto foreign = transfer_messages(store_, alice_, source, {a}, destination, Transfer::move);
    ASSERT_FALSE(foreign);
    EXPECT_EQ(foreign.error().kind, ErrorKind::not_found);
  }
  EXPECT_TRUE(store_.list_messages(bobs_inbox_)->empty());
  EXPECT_EQ(store_.list_messages(inbox_)->size(), 1u);
  // RFC 6851 allows a move into the same mailbox: a new uid, the old one expunged.
  auto itself = transfer_messages(store_, alice_, inbox_, {a}, inbox_, Transfer::move);
  ASSERT_TRUE(itself) << itself.error().message;
  ASSERT_EQ(itself->mapping.size(), 1u);
  EXPECT_GT(itself->mapping[0].destination, a);
  EXPECT_EQ(store_.list_messages(inbox_)->size(), 1u);
}

TEST_F(MessagesTest, ExpungeEitherAllListedOrOnlyTheDeletedOnes) {
  Uid a = append(kMessage, NewFlags{{SystemFlag::deleted}, {}});
  Uid b = append(kMessage);
  Uid c = append(kMessage);
  auto deleted_only = expunge_messages(store_, inbox_, {a, b}, store::ExpungeScope::deleted_only);
  ASSERT_TRUE(deleted_only);
  ASSERT_EQ(deleted_only->size(), 1u);
  EXPECT_EQ(deleted_only->front().uid, a);
  auto listed = expunge_messages(store_, inbox_, {b, c, 99}, store::ExpungeScope::listed);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size(), 2u);
  EXPECT_TRUE(store_.list_messages(inbox_)->empty());
  auto none = expunge_messages(store_, inbox_, {}, store::ExpungeScope::listed);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace postamt::mail
