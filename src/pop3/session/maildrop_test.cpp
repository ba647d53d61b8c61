#include "pop3/session/maildrop.h"

#include <gtest/gtest.h>

#include "blob/memory_blob_store.h"
#include "store/memory/memory_store.h"

namespace postamt::pop3 {
namespace {

TEST(Pop3Maildrop, UniqueIdIsUidValidityDotUid) {
  EXPECT_EQ(unique_id(7, 42), "7.42");
  EXPECT_EQ(unique_id(4294967295u, 4294967295u), "4294967295.4294967295");
}

Maildrop three_messages() {
  return Maildrop(MailboxId(5), 9, {{10, BlobRef(), 100}, {11, BlobRef(), 20}, {15, BlobRef(), 3}});
}

TEST(Pop3Maildrop, NumbersStayStableWhileMessagesAreMarked) {
  Maildrop m = three_messages();
  EXPECT_EQ(m.totals(), (MaildropTotals{3, 123}));
  ASSERT_TRUE(m.mark_deleted(2));
  EXPECT_EQ(m.totals(), (MaildropTotals{2, 103}));
  EXPECT_EQ(m.scan_listing(), (std::vector<std::string>{"1 100", "3 3"}));
  EXPECT_EQ(m.unique_id_listing(), (std::vector<std::string>{"1 9.10", "3 9.15"}));
  auto third = m.find(3);
  ASSERT_TRUE(third);
  EXPECT_EQ((*third)->uid, 15u);
  EXPECT_EQ(m.deleted_uids(), (std::vector<Uid>{11}));

  auto again = m.mark_deleted(2);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::invalid);
  EXPECT_EQ(again.error().message, "message 2 is deleted");
  m.unmark_all();
  EXPECT_TRUE(m.deleted_uids().empty());
  EXPECT_EQ(m.totals(), (MaildropTotals{3, 123}));
}

// What the session flags \Seen at its end: QUIT leaves out messages it expunges, a
// dropped connection (nothing expunged) flags every retrieved message.
TEST(Pop3Maildrop, RetrievedUidsOnceEachWithOrWithoutDeletedOnes) {
  Maildrop m = three_messages();
  EXPECT_TRUE(m.retrieved_uids(DeletedMessages::include).empty());
  m.mark_retrieved(3);
  m.mark_retrieved(1);
  m.mark_retrieved(3);
  m.mark_retrieved(0);  // outside the snapshot: ignored
  m.mark_retrieved(4);
  ASSERT_TRUE(m.mark_deleted(1));
  EXPECT_EQ(m.retrieved_uids(DeletedMessages::include), (std::vector<Uid>{10, 15}));
  EXPECT_EQ(m.retrieved_uids(DeletedMessages::exclude), (std::vector<Uid>{15}));
  m.unmark_all();  // RSET clears DELE marks, not the retrievals
  EXPECT_EQ(m.retrieved_uids(DeletedMessages::exclude), (std::vector<Uid>{10, 15}));
}

TEST(Pop3Maildrop, NumbersOutsideTheSnapshotAreNotFound) {
  Maildrop m = three_messages();
  for (uint32_t n : {0u, 4u, 4294967295u}) {
    auto r = m.find(n);
    ASSERT_FALSE(r) << n;
    EXPECT_EQ(r.error().kind, ErrorKind::not_found);
    EXPECT_EQ(r.error().message, "no such message");
  }
}

TEST(Pop3Maildrop, LoadCountsOctetsWithCrlfLineEnds) {
  store::MemoryStore store;
  blob::MemoryBlobStore blobs;
  ASSERT_TRUE(store.add_domain("example.org"));
  auto account = store.create_account("bob@example.org", "{ARGON2ID}x");
  ASSERT_TRUE(account);
  auto inbox = store.find_mailbox(*account, "INBOX");
  ASSERT_TRUE(inbox);
  // RFC 1939 §11: bare LF counts as CRLF; a missing final line end gets one.
  for (std::string_view bytes : {"A: b\n\nbody\n", "A: b\r\n\r\nx"}) {
    auto ref = blobs.put(bytes);
    ASSERT_TRUE(ref);
    store::NewMessage message;
    message.blob = *ref;
    message.size = bytes.size();
    ASSERT_TRUE(store.append(inbox->id, message));
  }
  auto loaded = Maildrop::load(store, blobs, *account);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->mailbox(), inbox->id);
  EXPECT_EQ(loaded->uid_validity(), inbox->uid_validity);
  EXPECT_EQ(loaded->scan_listing(), (std::vector<std::string>{"1 14", "2 11"}));
}

}  // namespace
}  // namespace postamt::pop3
