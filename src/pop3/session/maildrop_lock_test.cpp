// MaildropLocks in both modes (maildrop_lock.h). Cluster mode runs over the memory store
// with two tables that stand for two nodes, and over SQLite where a store failure is
// needed (the claim table renamed away for a moment).
#include "pop3/session/maildrop_lock.h"

#include <gtest/gtest.h>

#include <regex>
#include <thread>

#include "store/memory/memory_store.h"
#include "store/sqlite/sqlite_store.h"
#include "support/files.h"

namespace postamt::pop3 {
namespace {

using namespace std::chrono_literals;

// Takes `account` on `locks`; fails the test on a store error.
std::optional<MaildropLock> take(MaildropLocks& locks, AccountId account) {
  auto r = locks.try_lock(account);
  EXPECT_TRUE(r) << r.error().message;
  return r ? std::move(*r) : std::nullopt;
}

TEST(Pop3MaildropLock, InProcessSecondLockFailsUntilTheFirstIsReleased) {
  MaildropLocks locks;
  EXPECT_FALSE(locks.clustered());
  {
    auto first = take(locks, AccountId(1));
    ASSERT_TRUE(first);
    EXPECT_FALSE(take(locks, AccountId(1)));
    EXPECT_TRUE(take(locks, AccountId(2)));  // released at once: a temporary
    EXPECT_TRUE(locks.is_locked(AccountId(1)));
    EXPECT_FALSE(locks.is_locked(AccountId(2)));
    MaildropLock moved = std::move(*first);
    first.reset();
    EXPECT_TRUE(locks.is_locked(AccountId(1)));
  }
  EXPECT_FALSE(locks.is_locked(AccountId(1)));
  auto again = take(locks, AccountId(1));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->release());
  EXPECT_FALSE(locks.is_locked(AccountId(1)));
  EXPECT_TRUE(again->release());  // idempotent
  auto maintained = locks.maintain();
  ASSERT_TRUE(maintained);
  EXPECT_EQ(*maintained, 0u);
}

TEST(Pop3MaildropLock, OwnerIdNamesHostPidAndRandomness) {
  const std::string a = cluster_owner_id();
  const std::string b = cluster_owner_id();
  const std::regex form("[^:]+:" + std::to_string(::getpid()) + ":[0-9a-f]{16}");
  EXPECT_TRUE(std::regex_match(a, form)) << a;
  EXPECT_TRUE(std::regex_match(b, form)) << b;
  EXPECT_NE(a, b);
  EXPECT_EQ(MaildropLocks::claim_name(AccountId(42)), "pop3:42");
}

class ClusterLocks : public ::testing::Test {
 protected:
  store::MemoryStore store_;
  MaildropLocks node_a_{ClusterLock{&store_, "node-a", 30s}};
  MaildropLocks node_b_{ClusterLock{&store_, "node-b", 30s}};
  const AccountId alice_{7};
  const AccountId bob_{8};
};

// RFC 1939 §8: one session per maildrop, wherever the second login arrives.
TEST_F(ClusterLocks, SecondNodeIsRefusedUntilTheFirstReleases) {
  EXPECT_TRUE(node_a_.clustered());
  auto held = take(node_a_, alice_);
  ASSERT_TRUE(held);
  EXPECT_FALSE(take(node_b_, alice_));
  EXPECT_FALSE(node_b_.is_locked(alice_));  // node b's own table never held it
  EXPECT_FALSE(take(node_a_, alice_));      // the local table, without a store call
  EXPECT_TRUE(take(node_b_, bob_));         // another maildrop is free
  ASSERT_TRUE(held->release());
  EXPECT_FALSE(node_a_.is_locked(alice_));
  auto moved = take(node_b_, alice_);
  ASSERT_TRUE(moved);
  EXPECT_FALSE(take(node_a_, alice_));
}

// A guard destroyed without release() never blocks; maintain() frees the claim.
TEST_F(ClusterLocks, UnreleasedGuardIsReleasedByMaintain) {
  { auto held = take(node_a_, alice_); }
  EXPECT_TRUE(node_a_.is_locked(alice_));
  EXPECT_FALSE(take(node_b_, alice_));
  auto maintained = node_a_.maintain();
  ASSERT_TRUE(maintained) << maintained.error().message;
  EXPECT_EQ(*maintained, 0u);  // nothing held: nothing renewed
  EXPECT_FALSE(node_a_.is_locked(alice_));
  EXPECT_TRUE(take(node_b_, alice_));
}

// A pending release is taken over by the next login on the same node: the claim is
// still this node's, and maintain() must not free it under the new session.
TEST_F(ClusterLocks, PendingReleaseIsTakenOverByALocalLogin) {
  { auto held = take(node_a_, alice_); }
  auto again = take(node_a_, alice_);
  ASSERT_TRUE(again);
  auto maintained = node_a_.maintain();
  ASSERT_TRUE(maintained);
  EXPECT_EQ(*maintained, 1u);
  EXPECT_FALSE(take(node_b_, alice_));
}

// A live node's claims survive its lease through maintain(); a dead node's expire.
TEST_F(ClusterLocks, MaintainKeepsClaimsAliveAndDeadNodesLoseThem) {
  MaildropLocks live{ClusterLock{&store_, "live", 1s}};
  MaildropLocks dead{ClusterLock{&store_, "dead", 1s}};
  auto kept = take(live, alice_);
  auto lost = take(dead, bob_);
  ASSERT_TRUE(kept && lost);
  for (int i = 0; i < 2; ++i) {
    std::this_thread::sleep_for(1s);
    auto renewed = live.maintain();
    ASSERT_TRUE(renewed);
    EXPECT_EQ(*renewed, 1u);
  }
  // The dead node's claim (1 s lease, taken 2 s ago) has expired; the live one's not.
  EXPECT_TRUE(take(node_b_, bob_));
  EXPECT_FALSE(take(node_b_, alice_));
}

class SqliteClusterLocks : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::sqlite::open_sqlite_store(dir_.path("mail.db"));
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    node_a_.emplace(ClusterLock{store_.get(), "node-a", 30s});
    node_b_.emplace(ClusterLock{store_.get(), "node-b", 30s});
  }
  // Another connection to the database, as an administrator (or an outage) would.
  void script(const std::string& sql) {
    auto c = store::sqlite::SqliteConnection::open(dir_.path("mail.db"));
    ASSERT_TRUE(c) << c.error().message;
    ASSERT_TRUE((*c)->execute_script(sql));
  }
  void break_claims() { script("ALTER TABLE claim RENAME TO claim_away"); }
  void mend_claims() { script("ALTER TABLE claim_away RENAME TO claim"); }

  postamt::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::optional<MaildropLocks> node_a_;
  std::optional<MaildropLocks> node_b_;
  const AccountId alice_{7};
};

// A store error is an error (the session answers [SYS/TEMP]), never a lock.
TEST_F(SqliteClusterLocks, StoreErrorAtLockIsAnError) {
  break_claims();
  auto r = node_a_->try_lock(alice_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::io);
  mend_claims();
  auto maintained = node_a_->maintain();
  ASSERT_TRUE(maintained) << maintained.error().message;
  EXPECT_FALSE(node_a_->is_locked(alice_));
  EXPECT_TRUE(take(*node_b_, alice_));
}

// A release that fails is retried by maintain(); the claim is never lost or leaked.
TEST_F(SqliteClusterLocks, FailedReleaseIsRetriedByMaintain) {
  auto held = take(*node_a_, alice_);
  ASSERT_TRUE(held);
  break_claims();
  auto released = held->release();
  ASSERT_FALSE(released);
  EXPECT_TRUE(node_a_->is_locked(alice_));
  auto failed = node_a_->maintain();
  EXPECT_FALSE(failed);  // still broken: the release stays pending
  mend_claims();
  EXPECT_FALSE(take(*node_b_, alice_));
  auto maintained = node_a_->maintain();
  ASSERT_TRUE(maintained) << maintained.error().message;
  EXPECT_EQ(*maintained, 0u);
  EXPECT_FALSE(node_a_->is_locked(alice_));
  EXPECT_TRUE(take(*node_b_, alice_));
}

}  // namespace
}  // namespace postamt::pop3
