#include "mail/flags.h"

#include <gtest/gtest.h>

#include "store/memory/memory_store.h"

namespace postamt::mail {
namespace {

class FlagsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.add_domain("example.org"));
    auto alice = *store_.create_account("alice@example.org", "{X}");
    inbox_ = store_.find_mailbox(alice, "INBOX")->id;
    for (int i = 0; i < 2; ++i) {
      store::NewMessage m;
      m.blob = BlobRef::parse(std::string(64, static_cast<char>('a' + i))).value();
      m.size = 1;
      m.keywords = Keywords{"$MDNSent"};
      ASSERT_TRUE(store_.append(inbox_, m));
    }
  }
  std::vector<store::MessageRecord> records() { return *store_.list_messages(inbox_); }
  static std::vector<const store::MessageRecord*> pointers(
      const std::vector<store::MessageRecord>& all) {
    std::vector<const store::MessageRecord*> out;
    for (const auto& r : all) out.push_back(&r);
    return out;
  }

  store::MemoryStore store_;
  MailboxId inbox_;
};

TEST_F(FlagsTest, KeywordCountLimit) {
  Keywords keywords;
  for (size_t i = 0; i < kMaxKeywordsPerMessage; ++i) keywords.add("k" + std::to_string(i));
  EXPECT_TRUE(check_keyword_count(keywords));
  keywords.add("one-more");
  auto over = check_keyword_count(keywords);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().kind, ErrorKind::limit);
  EXPECT_EQ(over.error().message, "A message may carry at most 64 keywords");
}

TEST_F(FlagsTest, AnAddThatWouldTakeAMessageOverTheLimitChangesNothing) {
  auto before = records();
  FlagUpdate update;
  update.operation = FlagOperation::add;
  update.flags = {SystemFlag::seen};
  for (size_t i = 0; i < kMaxKeywordsPerMessage; ++i) update.keywords.add("k" + std::to_string(i));
  auto refused = update_flags(store_, inbox_, pointers(before), update);
  ASSERT_FALSE(refused);  // 64 added to $MDNSent make 65
  EXPECT_EQ(refused.error().kind, ErrorKind::limit);
  EXPECT_EQ(records(), before);
}

// The $MDNSent latch (RFC 3503, docs/read-receipts.md) holds whatever a client asks.
TEST_F(FlagsTest, TheReceiptLatchStaysThroughRemoveAndReplace) {
  auto current = records();
  FlagUpdate remove{FlagOperation::remove, {}, {"$mdnsent"}, {}};
  auto removed = update_flags(store_, inbox_, pointers(current), remove);
  ASSERT_TRUE(removed) << removed.error().message;
  EXPECT_TRUE(removed->changed.empty());  // nothing changed, no new modseq
  FlagUpdate replace{FlagOperation::replace, {SystemFlag::flagged}, {"$Work"}, {}};
  current = records();
  auto replaced = update_flags(store_, inbox_, pointers(current), replace);
  ASSERT_TRUE(replaced);
  ASSERT_EQ(replaced->changed.size(), 2u);
  for (const auto& r : records()) {
    EXPECT_TRUE(r.keywords.contains(kMdnSentKeyword));
    EXPECT_TRUE(r.keywords.contains("$Work"));
    EXPECT_TRUE(r.flags.has(SystemFlag::flagged));
  }
  auto nothing = update_flags(store_, inbox_, {}, replace);
  ASSERT_TRUE(nothing);
  EXPECT_TRUE(nothing->changed.empty());
}

}  // namespace
}  // namespace postamt::mail
