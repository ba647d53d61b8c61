#include "mail/sort.h"

#include <gtest/gtest.h>

#include "blob/memory_blob_store.h"
#include "mail/messages.h"
#include "store/memory/memory_store.h"

namespace postamt::mail {
namespace {

using namespace std::chrono_literals;
using K = SortKey;

class SortTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.add_domain("example.org"));
    AccountId alice = *store_.create_account("alice@example.org", "{X}");
    inbox_ = store_.find_mailbox(alice, "INBOX")->id;
  }
  // Appends with the given internal date; `keep_lines` false stores the message the way
  // one stored before envelope lines existed.
  void add(const std::string& bytes, int64_t arrival, bool keep_lines = true) {
    auto message = save_message(blobs_, bytes, store::InternalDate(std::chrono::seconds(arrival)));
    ASSERT_TRUE(message);
    if (!keep_lines) {
      message->envelope_header.reset();
      message->thread_refs.reset();
    }
    ASSERT_TRUE(store_.append(inbox_, *message));
  }
  // Removes every message's file (the store keeps the records).
  void remove_files() {
    auto records = store_.list_messages(inbox_);
    ASSERT_TRUE(records);
    for (const auto& r : *records) ASSERT_TRUE(blobs_.remove(r.blob));
  }
  Result<std::vector<uint32_t>> try_sort(std::vector<SortCriterion> criteria,
                                         SortCache* cache = nullptr) {
    records_ = *store_.list_messages(inbox_);
    std::vector<const store::MessageRecord*> messages;
    for (const auto& r : records_) messages.push_back(&r);
    auto order = sort_messages(store_, blobs_, inbox_, messages, criteria, cache);
    if (!order) return order.error();
    std::vector<uint32_t> uids;
    for (uint32_t i : *order) uids.push_back(records_[i].uid);
    return uids;
  }
  std::vector<uint32_t> sorted(std::vector<SortCriterion> criteria, SortCache* cache = nullptr) {
    auto uids = try_sort(std::move(criteria), cache);
    EXPECT_TRUE(uids) << uids.error().message;
    return uids ? *uids : std::vector<uint32_t>{};
  }

  store::MemoryStore store_;
  blob::MemoryBlobStore blobs_;
  MailboxId inbox_;
  std::vector<store::MessageRecord> records_;
};

TEST_F(SortTest, EveryKeyAscendingWithMailboxOrderBreakingTies) {
  // uid 1..5
  add("From: Zed <b@x>\r\nTo: Carol <m@x>\r\nSubject: Re: beta\r\n"
      "Date: 1 Jan 2020 10:00:00 +0000\r\n\r\nbody\r\n",
      300);
  add("From: a@x\r\nTo: bob@x\r\nCc: zz@x\r\nSubject: alpha\r\n"
      "Date: 1 Jan 2020 09:00:00 -0200\r\n\r\nlonger body here\r\n",
      100);
  add("From: \"Amy\" <c@x>\r\nSubject: [list] Beta\r\nDate: junk\r\n\r\nb\r\n", 200);
  add("Subject: \r\nCc: aa@x\r\n\r\nbody\r\n", 400);
  add("From: B@x\r\nTo: Al <z@x>\r\nSubject: Fwd: ALPHA\r\n"
      "Date: 1 Jan 2020 10:00:00 +0000\r\n\r\nbody\r\n",
      50);
  EXPECT_EQ(sorted({{K::arrival}}), (std::vector<uint32_t>{5, 2, 3, 1, 4}));
  EXPECT_EQ(sorted({{K::size}}), (std::vector<uint32_t>{4, 3, 5, 1, 2}));
  // Sent dates: 1 and 5 at 10:00 UTC (uid order), 2 at 11:00 UTC, 3 and 4 unparsable
  // or missing: their internal dates (200, 400) come first.
  EXPECT_EQ(sorted({{K::date}}), (std::vector<uint32_t>{3, 4, 1, 5, 2}));
  // Base subjects: "" < "alpha" = "ALPHA" < "beta" = "Beta".
  EXPECT_EQ(sorted({{K::subject}}), (std::vector<uint32_t>{4, 2, 5, 1, 3}));
  // addr-mailbox, i;unicode-casemap: "" (4) < a < b = B < c.
  EXPECT_EQ(sorted({{K::from}}), (std::vector<uint32_t>{4, 2, 1, 5, 3}));
  EXPECT_EQ(sorted({{K::to}}), (std::vector<uint32_t>{3, 4, 2, 1, 5}));
  EXPECT_EQ(sorted({{K::cc}}), (std::vector<uint32_t>{1, 3, 5, 4, 2}));
  // RFC 5957: display names where there are, addresses elsewhere.
  EXPECT_EQ(sorted({{K::display_from}}), (std::vector<uint32_t>{4, 2, 3, 5, 1}));
  EXPECT_EQ(sorted({{K::display_to}}), (std::vector<uint32_t>{3, 4, 5, 2, 1}));
}

TEST_F(SortTest, ReverseFlipsOneCriterionNotTheTieBreak) {
  add("Subject: b\r\nDate: 1 Jan 2020 10:00:00 +0000\r\n\r\nx\r\n", 1);
  add("Subject: a\r\nDate: 1 Jan 2020 10:00:00 +0000\r\n\r\nx\r\n", 1);
  add("Subject: b\r\nDate: 2 Jan 2020 10:00:00 +0000\r\n\r\nx\r\n", 1);
  add("Subject: a\r\nDate: 1 Jan 2020 10:00:00 +0000\r\n\r\nx\r\n", 1);
  EXPECT_EQ(sorted({{K::subject, true}}), (std::vector<uint32_t>{1, 3, 2, 4}));
  EXPECT_EQ(sorted({{K::subject}, {K::date, true}}), (std::vector<uint32_t>{2, 4, 3, 1}));
  EXPECT_EQ(sorted({{K::subject, true}, {K::date, true}}), (std::vector<uint32_t>{3, 1, 2, 4}));
}

TEST_F(SortTest, MessagesStoredWithoutLinesAreReadFromTheirFiles) {
  add("Subject: c\r\n\r\nx\r\n", 1);
  add("Subject: a\r\n\r\nx\r\n", 1, false);
  add("Subject: b\r\n\r\nx\r\n", 1);
  EXPECT_EQ(sorted({{K::subject}}), (std::vector<uint32_t>{2, 3, 1}));
}

// What the cache holds is not read again: with the files gone (and no envelope lines),
// only the cached keys can still be sorted by.
TEST_F(SortTest, CachedValuesNeedNoMessage) {
  add("Subject: c\r\nFrom: z@x\r\nDate: 1 Jan 2020 10:00 +0000\r\n\r\nx\r\n", 1, false);
  add("Subject: a\r\nFrom: y@x\r\nDate: 3 Jan 2020 10:00 +0000\r\n\r\nx\r\n", 1, false);
  add("Subject: b\r\nFrom: x@x\r\nDate: 2 Jan 2020 10:00 +0000\r\n\r\nx\r\n", 1, false);
  SortCache cache;
  EXPECT_EQ(sorted({{K::subject}, {K::date, true}}, &cache), (std::vector<uint32_t>{2, 3, 1}));
  EXPECT_GT(cache.bytes(), 0u);
  remove_files();
  EXPECT_EQ(sorted({{K::subject, true}}, &cache), (std::vector<uint32_t>{1, 3, 2}));
  EXPECT_EQ(sorted({{K::date}, {K::size}}, &cache), (std::vector<uint32_t>{1, 3, 2}));
  EXPECT_FALSE(try_sort({{K::from}}, &cache));  // never cached: the files are needed
  EXPECT_FALSE(try_sort({{K::subject}}));       // no cache
  // A new message is read; the old ones still come from the cache.
  add("Subject: 0\r\nDate: 4 Jan 2020 10:00 +0000\r\n\r\nx\r\n", 1, false);
  EXPECT_EQ(sorted({{K::subject}}, &cache), (std::vector<uint32_t>{4, 2, 3, 1}));
}

// [imap] sort_cache: values that do not fit are computed each time.
TEST_F(SortTest, CacheKeepsNoMoreThanItsLimit) {
  add("Subject: b\r\n\r\nx\r\n", 1, false);
  add("Subject: a\r\n\r\nx\r\n", 1, false);
  SortCache none(0);
  EXPECT_EQ(sorted({{K::subject}}, &none), (std::vector<uint32_t>{2, 1}));
  EXPECT_EQ(none.bytes(), 0u);
  SortCache one_key(2 * (sizeof(Uid) + sizeof(std::string) + 1));
  EXPECT_EQ(sorted({{K::subject}}, &one_key), (std::vector<uint32_t>{2, 1}));
  EXPECT_EQ(one_key.bytes(), 2 * (sizeof(Uid) + sizeof(std::string) + 1));
  EXPECT_EQ(sorted({{K::date}}, &one_key), (std::vector<uint32_t>{1, 2}));  // not kept
  EXPECT_EQ(one_key.bytes(), 2 * (sizeof(Uid) + sizeof(std::string) + 1));
  // Room for one of the two: the first is kept, the second is read each time.
  SortCache half(sizeof(Uid) + sizeof(std::string) + 1);
  EXPECT_EQ(sorted({{K::subject}}, &half), (std::vector<uint32_t>{2, 1}));
  EXPECT_EQ(half.bytes(), sizeof(Uid) + sizeof(std::string) + 1);
  remove_files();
  EXPECT_EQ(sorted({{K::subject}}, &one_key), (std::vector<uint32_t>{2, 1}));
  EXPECT_FALSE(try_sort({{K::subject}}, &none));
  EXPECT_FALSE(try_sort({{K::subject}}, &half));
}

TEST_F(SortTest, ValuesCompareAcrossMailboxes) {
  add("From: b@x\r\nSubject: Re: alpha\r\nDate: 1 Jan 2020 10:00:00 +0000\r\n\r\nx\r\n", 10);
  AccountId alice = store_.find_account("alice@example.org")->id;
  MailboxId other = store_.find_mailbox(alice, "Archive")->id;
  auto message = save_message(blobs_, "From: A@x\r\nSubject: ALPHA\r\n\r\ny\r\n",
                              store::InternalDate(std::chrono::seconds(20)));
  ASSERT_TRUE(message);
  ASSERT_TRUE(store_.append(other, *message));
  auto values_of = [&](MailboxId box, SortKey key) {
    std::vector<store::MessageRecord> records = *store_.list_messages(box);
    std::vector<const store::MessageRecord*> messages;
    for (const auto& r : records) messages.push_back(&r);
    auto values = sort_values(store_, blobs_, box, messages, key);
    EXPECT_TRUE(values);
    return *values;
  };
  // Base subjects "alpha" and "alpha" (i;unicode-casemap) are equal; from "b" > "a".
  EXPECT_EQ(values_of(inbox_, K::subject).compare(0, values_of(other, K::subject), 0), 0);
  EXPECT_EQ(values_of(inbox_, K::from).compare(0, values_of(other, K::from), 0), 1);
  EXPECT_EQ(values_of(other, K::from).compare(0, values_of(inbox_, K::from), 0), -1);
  EXPECT_EQ(values_of(inbox_, K::arrival).compare(0, values_of(other, K::arrival), 0), -1);
  // A message without a Date sorts by its internal date (RFC 5256 §2.2).
  EXPECT_EQ(values_of(other, K::date).numbers, std::vector<int64_t>{20});
}

TEST_F(SortTest, NoMessagesNoOrder) {
  EXPECT_TRUE(sorted({{K::subject}}).empty());
}

}  // namespace
}  // namespace postamt::mail
