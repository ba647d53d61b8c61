#include "mail/changes.h"

#include <gtest/gtest.h>

#include "store/memory/memory_store.h"

namespace postamt::mail {
namespace {

class ChangesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.add_domain("example.org"));
    alice_ = *store_.create_account("alice@example.org", "{X}");
    inbox_ = store_.find_mailbox(alice_, "INBOX")->id;
  }
  Uid append() {
    store::NewMessage m;
    m.blob = *BlobRef::parse(std::string(64, 'e'));
    m.size = 1;
    return store_.append(inbox_, m)->uid;
  }

  store::MemoryStore store_;
  AccountId alice_;
  MailboxId inbox_;
};

TEST_F(ChangesTest, HandsOutEachChangeOnceAndIsCheapWhileNothingIsWritten) {
  Uid first = append();
  ChangeCursor cursor(inbox_, store_.get_mailbox(inbox_)->highest_modseq);
  EXPECT_EQ(cursor.mailbox(), inbox_);
  auto none = cursor.poll(store_);
  ASSERT_TRUE(none);
  ASSERT_TRUE(none->has_value());  // the first poll always asks
  EXPECT_TRUE((*none)->changed.empty());
  auto idle = cursor.poll(store_);
  ASSERT_TRUE(idle);
  EXPECT_FALSE(idle->has_value());  // data_version did not move

  Uid second = append();
  ASSERT_TRUE(store_.update_flags(inbox_, {first},
                                  FlagUpdate{FlagOperation::add, {SystemFlag::seen}, {}, {}}));
  auto news = cursor.poll(store_);
  ASSERT_TRUE(news);
  ASSERT_TRUE(news->has_value());
  ASSERT_EQ((*news)->changed.size(), 2u);
  EXPECT_EQ((*news)->changed[0].uid, first);
  EXPECT_TRUE((*news)->changed[0].flags.has(SystemFlag::seen));
  EXPECT_EQ((*news)->changed[1].uid, second);
  EXPECT_EQ(cursor.known_modseq(), store_.get_mailbox(inbox_)->highest_modseq);

  ASSERT_TRUE(store_.expunge(inbox_, {second}));
  auto gone = cursor.poll(store_);
  ASSERT_TRUE(gone);
  ASSERT_TRUE(gone->has_value());
  EXPECT_TRUE((*gone)->changed.empty());
  ASSERT_EQ((*gone)->expunged.size(), 1u);
  EXPECT_EQ((*gone)->expunged[0].uid, second);

  // A write elsewhere moves data_version but brings nothing new here.
  ASSERT_TRUE(store_.add_domain("example.net"));
  auto elsewhere = cursor.poll(store_);
  ASSERT_TRUE(elsewhere);
  ASSERT_TRUE(elsewhere->has_value());
  EXPECT_TRUE((*elsewhere)->changed.empty());
  EXPECT_TRUE((*elsewhere)->expunged.empty());
}

TEST_F(ChangesTest, AMailboxThatIsGoneIsNotFound) {
  auto made = store_.create_mailbox(alice_, "Temp", MailboxRole::none);
  ASSERT_TRUE(made);
  ChangeCursor cursor(made->id, made->highest_modseq);
  ASSERT_TRUE(store_.delete_mailbox(made->id));
  auto polled = cursor.poll(store_);
  ASSERT_FALSE(polled);
  EXPECT_EQ(polled.error().kind, ErrorKind::not_found);
}

}  // namespace
}  // namespace postamt::mail
