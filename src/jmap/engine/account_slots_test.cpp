// AccountSlots: the per-account places behind maxConcurrentRequests, maxConcurrentUpload
// and max_websockets (one WebSocket request and one POST /jmap/api share the first).
#include "jmap/engine/account_slots.h"

#include <gtest/gtest.h>

namespace postamt::jmap {
namespace {

TEST(AccountSlots, TakenUpToTheLimitPerAccountAndGivenBack) {
  auto slots = std::make_shared<AccountSlots>();
  const AccountId alice(1), bob(2);
  auto first = AccountSlots::take(slots, alice, 2);
  auto second = AccountSlots::take(slots, alice, 2);
  ASSERT_TRUE(first && second);
  EXPECT_FALSE(AccountSlots::take(slots, alice, 2));
  EXPECT_EQ(slots->in_use(alice), 2u);
  // Another account has its own places.
  auto other = AccountSlots::take(slots, bob, 2);
  ASSERT_TRUE(other);
  EXPECT_EQ(slots->in_use(bob), 1u);
  // A place is given back when its Slot goes, also after a move.
  AccountSlots::Slot moved = std::move(*first);
  first.reset();
  EXPECT_EQ(slots->in_use(alice), 2u);
  { AccountSlots::Slot gone = std::move(moved); }
  EXPECT_EQ(slots->in_use(alice), 1u);
  EXPECT_TRUE(AccountSlots::take(slots, alice, 2));  // taken and given back at once
  EXPECT_EQ(slots->in_use(alice), 1u);
  second.reset();
  EXPECT_EQ(slots->in_use(alice), 0u);
  // A limit of 0 never gives a place and leaves no trace.
  EXPECT_FALSE(AccountSlots::take(slots, AccountId(3), 0));
  EXPECT_EQ(slots->in_use(AccountId(3)), 0u);
}

// Move assignment gives back the place the target held.
TEST(AccountSlots, MoveAssignmentGivesBackTheOldPlace) {
  auto slots = std::make_shared<AccountSlots>();
  auto a = AccountSlots::take(slots, AccountId(1), 5);
  auto b = AccountSlots::take(slots, AccountId(2), 5);
  ASSERT_TRUE(a && b);
  *a = std::move(*b);
  EXPECT_EQ(slots->in_use(AccountId(1)), 0u);
  EXPECT_EQ(slots->in_use(AccountId(2)), 1u);
}

}  // namespace
}  // namespace postamt::jmap
