// The sequence-number map: EXPUNGE numbers after each removal (RFC 3501 §7.4.1).
#include "imap/session/selected.h"

#include <gtest/gtest.h>

#include "store/memory/memory_store.h"

namespace postamt::imap {
namespace {

std::vector<store::MessageRecord> records(std::vector<Uid> uids) {
  std::vector<store::MessageRecord> out;
  for (Uid uid : uids) {
    store::MessageRecord m;
    m.uid = uid;
    out.push_back(m);
  }
  return out;
}

std::string encoded(const std::vector<proto::Response>& responses) {
  std::string out;
  for (const auto& r : responses) proto::encode(r, {}, out);
  return out;
}

TEST(SelectedMailbox, SequenceNumbersFollowUidOrder) {
  SelectedMailbox box(MailboxId{1}, 7, Access::read_write, records({3, 5, 9}), 0);
  EXPECT_EQ(box.exists(), 3u);
  EXPECT_EQ(box.sequence_of(5), 2u);
  EXPECT_EQ(box.sequence_of(4), std::nullopt);
}

// Another session's changes, as the store reports them, told in the allowed order.
class SelectedRefresh : public ::testing::Test {
 protected:
  SelectedRefresh() {
    EXPECT_TRUE(store_.add_domain("example.org"));
    account_ = *store_.create_account("a@example.org", "x");
    box_ = store_.find_mailbox(account_, "INBOX")->id;
    for (int i = 0; i < 4; ++i) uids_.push_back(append());
  }
  Uid append() {
    store::NewMessage m;
    m.blob = *BlobRef::parse(std::string(64, 'a'));
    m.size = 1;
    return store_.append(box_, m)->uid;
  }
  SelectedMailbox select() {
    auto mailbox = store_.get_mailbox(box_);
    return SelectedMailbox(box_, mailbox->uid_validity, Access::read_write,
                           *store_.list_messages(box_), mailbox->highest_modseq);
  }
  void add_flag(Uid uid, SystemFlag flag) {
    FlagUpdate u;
    u.operation = FlagOperation::add;
    u.flags = SystemFlags{flag};
    ASSERT_TRUE(store_.update_flags(box_, {uid}, u));
  }
  store::MemoryStore store_;
  AccountId account_;
  MailboxId box_;
  std::vector<Uid> uids_;
};

TEST_F(SelectedRefresh, NothingChangedNothingTold) {
  auto box = select();
  ASSERT_TRUE(box.refresh(store_));
  EXPECT_EQ(encoded(box.announce(Expunges::tell, ModSeqs::omit)), "");
}

TEST_F(SelectedRefresh, FlagChangesBecomeFetchWithUid) {
  auto box = select();
  add_flag(uids_[2], SystemFlag::flagged);
  ASSERT_TRUE(box.refresh(store_));
  ModSeq modseq = store_.get_message(box_, uids_[2])->modseq;
  EXPECT_EQ(encoded(box.announce(Expunges::tell, ModSeqs::include)),
            "* 3 FETCH (FLAGS (\\Flagged) UID " + std::to_string(uids_[2]) + " MODSEQ (" +
                std::to_string(modseq) + "))\r\n");
  ASSERT_TRUE(box.refresh(store_));
  EXPECT_EQ(encoded(box.announce(Expunges::tell, ModSeqs::omit)), "");
}

// The session's own STORE result goes through update() and is not told back.
TEST_F(SelectedRefresh, OwnChangesAreNotToldAgain) {
  auto box = select();
  FlagUpdate u;
  u.operation = FlagOperation::add;
  u.flags = SystemFlags{SystemFlag::seen};
  auto result = store_.update_flags(box_, {uids_[0]}, u);
  box.update(result->changed);
  ASSERT_TRUE(box.refresh(store_));
  EXPECT_EQ(encoded(box.announce(Expunges::tell, ModSeqs::omit)), "");
  EXPECT_TRUE(box.find(uids_[0])->flags.has(SystemFlag::seen));
}

// Removing 2 and 3 of 4 reports "2" twice: the second number is valid after the first
// removal (RFC 3501 §7.4.1 example); new mail gives one EXISTS after the expunges.
TEST_F(SelectedRefresh, ExpungesShiftDownThenExists) {
  auto box = select();
  ASSERT_TRUE(store_.expunge(box_, {uids_[1], uids_[2]}));
  Uid fresh = append();
  ASSERT_TRUE(box.refresh(store_));
  EXPECT_EQ(encoded(box.announce(Expunges::tell, ModSeqs::omit)),
            "* 2 EXPUNGE\r\n* 2 EXPUNGE\r\n* 3 EXISTS\r\n");
  EXPECT_EQ(box.sequence_of(fresh), 3u);
  EXPECT_EQ(box.sequence_of(uids_[3]), 2u);
}

// During FETCH/STORE/SEARCH expunges wait (RFC 3501 §7.4.1): numbers stay, the message
// is marked vanished, new mail still counts on top of it.
TEST_F(SelectedRefresh, HeldExpungesKeepNumbers) {
  auto box = select();
  ASSERT_TRUE(store_.expunge(box_, {uids_[0]}));
  append();
  ASSERT_TRUE(box.refresh(store_));
  EXPECT_EQ(encoded(box.announce(Expunges::hold, ModSeqs::omit)), "* 5 EXISTS\r\n");
  EXPECT_TRUE(box.vanished(uids_[0]));
  EXPECT_EQ(box.sequence_of(uids_[1]), 2u);
  ASSERT_TRUE(box.refresh(store_));
  EXPECT_EQ(encoded(box.announce(Expunges::tell, ModSeqs::omit)), "* 1 EXPUNGE\r\n");
  EXPECT_EQ(box.exists(), 4u);
}

// A message that arrives and goes before the client heard of it is never told.
TEST_F(SelectedRefresh, ArrivedAndGoneIsSilent) {
  auto box = select();
  Uid fleeting = append();
  ASSERT_TRUE(box.refresh(store_));
  ASSERT_TRUE(store_.expunge(box_, {fleeting}));
  ASSERT_TRUE(box.refresh(store_));
  EXPECT_EQ(encoded(box.announce(Expunges::tell, ModSeqs::omit)), "");
}

TEST_F(SelectedRefresh, SavedResultDropsExpunged) {
  auto box = select();
  box.save_result({uids_[1], uids_[3]});
  ASSERT_TRUE(store_.expunge(box_, {uids_[1]}));
  ASSERT_TRUE(box.refresh(store_));
  box.announce(Expunges::tell, ModSeqs::omit);
  auto targets = box.resolve(proto::SequenceSet::saved(), proto::NumberKind::uid);
  ASSERT_TRUE(targets);
  ASSERT_EQ(targets->size(), 1u);
  EXPECT_EQ((*targets)[0].uid, uids_[3]);
  EXPECT_EQ((*targets)[0].seq, 3u);
}

}  // namespace
}  // namespace postamt::imap

namespace postamt::imap {
namespace {

TEST_F(SelectedRefresh, DeletedMailboxIsGone) {
  ASSERT_TRUE(store_.create_mailbox(account_, "Job", MailboxRole::none));
  MailboxId job = store_.find_mailbox(account_, "Job")->id;
  auto mailbox = store_.get_mailbox(job);
  SelectedMailbox box(job, mailbox->uid_validity, Access::read_write, {}, mailbox->highest_modseq);
  ASSERT_TRUE(box.refresh(store_));
  EXPECT_FALSE(box.gone());
  ASSERT_TRUE(store_.delete_mailbox(job));
  ASSERT_TRUE(box.refresh(store_));
  EXPECT_TRUE(box.gone());
}

}  // namespace
// IMAP4rev1 \Recent (RFC 3501 §2.3.2): of two read-write sessions that both have the
// mailbox selected, the one that first hears of a new message sees it \Recent and the
// other does not; a read-only one sees it without taking it; RECENT follows EXISTS.
TEST_F(SelectedRefresh, NewMessagesAreRecentInExactlyOneSession) {
  auto first = select();
  auto second = select();
  first.track_recent({});
  second.track_recent({});
  auto mailbox = store_.get_mailbox(box_);
  SelectedMailbox reader(box_, mailbox->uid_validity, Access::read_only,
                         *store_.list_messages(box_), mailbox->highest_modseq);
  reader.track_recent({});
  Uid fresh = append();
  ASSERT_TRUE(reader.refresh(store_));
  EXPECT_EQ(encoded(reader.announce(Expunges::tell, ModSeqs::omit)),
            "* 5 EXISTS\r\n* 1 RECENT\r\n");
  ASSERT_TRUE(first.refresh(store_));
  EXPECT_EQ(encoded(first.announce(Expunges::tell, ModSeqs::omit)), "* 5 EXISTS\r\n* 1 RECENT\r\n");
  ASSERT_TRUE(second.refresh(store_));
  EXPECT_EQ(encoded(second.announce(Expunges::tell, ModSeqs::omit)),
            "* 5 EXISTS\r\n* 0 RECENT\r\n");
  EXPECT_TRUE(first.is_recent(fresh));
  EXPECT_FALSE(second.is_recent(fresh));
  EXPECT_TRUE(reader.is_recent(fresh));
  EXPECT_EQ(first.flags_of(*first.find(fresh)), std::vector<std::string>{"\\Recent"});
  EXPECT_EQ(store_.get_mailbox(box_)->first_recent_uid, fresh + 1);
  // An expunged recent message leaves the count.
  ASSERT_TRUE(store_.expunge(box_, {fresh}));
  ASSERT_TRUE(first.refresh(store_));
  EXPECT_EQ(encoded(first.announce(Expunges::tell, ModSeqs::omit)), "* 5 EXPUNGE\r\n");
  EXPECT_TRUE(first.recent_uids().empty());
  // Without tracking (an IMAP4rev2 session) nothing is claimed and no RECENT is sent.
  auto rev2 = select();
  Uid later = append();
  ASSERT_TRUE(rev2.refresh(store_));
  EXPECT_EQ(encoded(rev2.announce(Expunges::tell, ModSeqs::omit)), "* 5 EXISTS\r\n");
  EXPECT_FALSE(rev2.is_recent(later));
  EXPECT_EQ(store_.get_mailbox(box_)->first_recent_uid, fresh + 1);
}

}  // namespace postamt::imap
