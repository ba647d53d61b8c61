// The Store contract for the outbound queue's entries and claims
// (store/api/queue_entries.h), run against every backend like contract_test.cpp.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "store/test_backend.h"

namespace postamt::store {
namespace {

using namespace std::chrono_literals;

class QueueContract : public BackendTest {
 protected:
  static QueueEntry entry(std::string id, int64_t next_attempt, bool held = false) {
    QueueEntry e;
    e.id = std::move(id);
    e.arrival = 1'700'000'000;
    e.next_attempt = next_attempt;
    e.held = held;
    e.head = "postamt-queue 1\narrival 1700000000\nbody 5\n";
    e.body = std::string("a\0b\r\n", 5);  // octets, NUL included
    return e;
  }
  void add(const QueueEntry& e) {
    auto r = store_->insert_queue_entry(e);
    ASSERT_TRUE(r) << r.error().message;
  }
  std::vector<std::string> claim(std::string_view owner, int64_t due_by, size_t limit,
                                 std::chrono::seconds lease = 60s) {
    auto r = store_->claim_queue_entries(owner, due_by, limit, lease);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : std::vector<std::string>{};
  }
  QueueEntry get(std::string_view id, QueueRead read = QueueRead::whole) {
    auto r = store_->get_queue_entry(id, read);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : QueueEntry{};
  }
  using Ids = std::vector<std::string>;
};

TEST_P(QueueContract, InsertAndGetRoundTripEveryField) {
  QueueEntry e = entry("Q1", 1'700'000'100, true);
  e.quarantined = true;
  add(e);
  QueueEntry got = get("Q1");
  EXPECT_EQ(got, e);
  EXPECT_EQ(got.body.size(), 5u);
  QueueEntry head = get("Q1", QueueRead::head_only);
  EXPECT_EQ(head.head, e.head);
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(head.next_attempt, 1'700'000'100);
  EXPECT_TRUE(head.held);
  EXPECT_EQ(head.claim_owner, "");

  auto again = store_->insert_queue_entry(entry("Q1", 0));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::exists);
  EXPECT_EQ(again.error().message, "queue id in use: Q1");
  auto missing = store_->get_queue_entry("Q9", QueueRead::whole);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
  EXPECT_EQ(missing.error().message, "no such message in the queue: Q9");
  auto empty = store_->insert_queue_entry(entry("", 0));
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().kind, ErrorKind::invalid);
}

TEST_P(QueueContract, ListIsByIdAndSummaryCountsEverything) {
  auto none = store_->queue_summary();
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, QueueSummary{});
  QueueEntry b = entry("B", 10);
  b.arrival = 500;
  add(b);
  add(entry("A", 20));
  QueueEntry c = entry("C", 5, true);
  c.arrival = 400;
  c.quarantined = true;
  add(c);
  EXPECT_EQ(*store_->list_queue_entries(), (Ids{"A", "B", "C"}));
  EXPECT_EQ(*store_->queue_summary(), (QueueSummary{3, 400}));
}

TEST_P(QueueContract, ClaimTakesDueEntriesInOrderUpToTheLimit) {
  add(entry("late", 300));
  add(entry("b", 100));
  add(entry("a", 100));
  add(entry("first", 50));
  add(entry("future", 1000));
  EXPECT_EQ(claim("node1", 300, 3), (Ids{"first", "a", "b"}));
  EXPECT_EQ(get("a").claim_owner, "node1");
  EXPECT_EQ(get("late").claim_owner, "");
  EXPECT_EQ(claim("node1", 300, 3), (Ids{"late"}));  // the claimed ones are taken
  EXPECT_EQ(claim("node1", 300, 3), Ids{});
  EXPECT_EQ(claim("node2", 999, 0), Ids{});
}

TEST_P(QueueContract, HeldQuarantinedAndNotYetDueAreNeverClaimed) {
  add(entry("held", 10, true));
  QueueEntry q = entry("quarantined", 10);
  q.quarantined = true;
  add(q);
  add(entry("due-later", 101));
  EXPECT_EQ(claim("node1", 100, 10), Ids{});
  EXPECT_EQ(claim("node1", 101, 10), Ids{"due-later"});
}

TEST_P(QueueContract, ASecondOwnerCannotTakeALiveClaim) {
  add(entry("m", 10));
  EXPECT_EQ(claim("node1", 10, 5), Ids{"m"});
  EXPECT_EQ(claim("node2", 10, 5), Ids{});
  EXPECT_EQ(*store_->claim_queue_entry("m", "node2", 60s), false);
  EXPECT_EQ(*store_->claim_queue_entry("m", "node1", 60s), true);  // its own
  EXPECT_EQ(*store_->renew_queue_claim("m", "node2", 60s), false);
  EXPECT_EQ(*store_->renew_queue_claim("m", "node1", 60s), true);
  // A release by someone else changes nothing.
  ASSERT_TRUE(store_->release_queue_claim("m", "node2"));
  EXPECT_EQ(get("m").claim_owner, "node1");
  ASSERT_TRUE(store_->release_queue_claim("m", "node1"));
  EXPECT_EQ(get("m").claim_owner, "");
  EXPECT_EQ(*store_->renew_queue_claim("m", "node1", 60s), false);  // released
  EXPECT_EQ(claim("node2", 10, 5), Ids{"m"});
}

TEST_P(QueueContract, AnEndedLeaseIsTakenOverAndTheOldOwnerLearnsIt) {
  add(entry("m", 10));
  EXPECT_EQ(claim("node1", 10, 5, 1s), Ids{"m"});
  const int64_t until = get("m").claim_until;
  EXPECT_GT(until, 1'700'000'000);  // the store's clock, not the due times
  std::this_thread::sleep_for(1100ms);
  EXPECT_EQ(claim("node2", 10, 5, 60s), Ids{"m"});
  QueueEntry taken = get("m");
  EXPECT_EQ(taken.claim_owner, "node2");
  EXPECT_GE(taken.claim_until, until + 59);
  EXPECT_EQ(*store_->renew_queue_claim("m", "node1", 60s), false);
  ASSERT_TRUE(store_->release_queue_claim("m", "node1"));
  EXPECT_EQ(get("m").claim_owner, "node2");
}

TEST_P(QueueContract, AnEndedLeaseNobodyTookCanBeRenewed) {
  add(entry("m", 10));
  EXPECT_EQ(*store_->claim_queue_entry("m", "node1", 1s), true);
  std::this_thread::sleep_for(1100ms);
  QueueEntry ended = get("m");  // an ended claim reads as none
  EXPECT_EQ(ended.claim_owner, "");
  EXPECT_EQ(ended.claim_until, 0);
  EXPECT_EQ(*store_->renew_queue_claim("m", "node1", 60s), true);
  EXPECT_EQ(get("m").claim_owner, "node1");
  EXPECT_EQ(claim("node2", 10, 5), Ids{});
  EXPECT_EQ(*store_->claim_queue_entry("m", "node2", 60s), false);
}

TEST_P(QueueContract, ClaimOneIgnoresDueAndHeld) {
  add(entry("held", 1000, true));
  EXPECT_EQ(*store_->claim_queue_entry("held", "node1", 60s), true);
  EXPECT_EQ(get("held").claim_owner, "node1");
  auto missing = store_->claim_queue_entry("nope", "node1", 60s);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
  auto anonymous = store_->claim_queue_entries("", 10, 1, 60s);
  ASSERT_FALSE(anonymous);
  EXPECT_EQ(anonymous.error().kind, ErrorKind::invalid);
}

TEST_P(QueueContract, UpdateSavesKeepsOrRemovesAndLeavesClaimsAlone) {
  add(entry("m", 10));
  ASSERT_TRUE(store_->claim_queue_entry("m", "node1", 60s));
  QueueEntry before = get("m");
  auto saved = store_->update_queue_entry("m", [](QueueEntry& e) -> Result<QueueChange> {
    EXPECT_EQ(e.body.size(), 5u);  // read whole
    e.next_attempt = 99;
    e.held = true;
    e.head = "new head\n";
    e.body = "new body";
    e.claim_owner = "thief";
    return QueueChange::save;
  });
  ASSERT_TRUE(saved) << saved.error().message;
  QueueEntry after = get("m");
  EXPECT_EQ(after.next_attempt, 99);
  EXPECT_TRUE(after.held);
  EXPECT_EQ(after.head, "new head\n");
  EXPECT_EQ(after.body, "new body");
  EXPECT_EQ(after.claim_owner, "node1");
  EXPECT_EQ(after.claim_until, before.claim_until);

  auto kept = store_->update_queue_entry("m", [](QueueEntry& e) -> Result<QueueChange> {
    e.next_attempt = 1;
    return QueueChange::keep;
  });
  ASSERT_TRUE(kept);
  EXPECT_EQ(get("m").next_attempt, 99);
  auto failed = store_->update_queue_entry("m", [](QueueEntry& e) -> Result<QueueChange> {
    e.next_attempt = 1;
    return Error{ErrorKind::invalid, "no"};
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "no");
  EXPECT_EQ(get("m").next_attempt, 99);

  auto removed = store_->update_queue_entry(
      "m", [](QueueEntry&) -> Result<QueueChange> { return QueueChange::remove; });
  ASSERT_TRUE(removed);
  EXPECT_EQ(*store_->list_queue_entries(), Ids{});
  auto gone = store_->update_queue_entry(
      "m", [](QueueEntry&) -> Result<QueueChange> { return QueueChange::save; });
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, ErrorKind::not_found);
}

TEST_P(QueueContract, RemoveDeletesOnce) {
  add(entry("m", 10));
  ASSERT_TRUE(store_->remove_queue_entry("m"));
  auto again = store_->remove_queue_entry("m");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::not_found);
  EXPECT_EQ(again.error().message, "no such message in the queue: m");
  EXPECT_EQ(*store_->renew_queue_claim("m", "node1", 60s), false);
  EXPECT_TRUE(store_->release_queue_claim("m", "node1"));
}

INSTANTIATE_TEST_SUITE_P(Backends, QueueContract,
                         ::testing::Values("memory", "sqlite", "postgres"));

}  // namespace
}  // namespace postamt::store
