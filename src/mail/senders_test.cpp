#include "mail/senders.h"

#include <gtest/gtest.h>

#include "store/memory/memory_store.h"

namespace postamt::mail {
namespace {

TEST(Senders, OwnAddressesAndAliasesThatReachTheAccount) {
  store::MemoryStore store;
  ASSERT_TRUE(store.add_domain("example.org"));
  ASSERT_TRUE(store.create_account("alice@example.org", "{X}"));
  ASSERT_TRUE(store.create_account("bob@example.org", "{X}"));
  ASSERT_TRUE(store.add_alias("al@example.org", {"alice@example.org"}));
  ASSERT_TRUE(store.add_alias("team@example.org", {"alice@example.org", "bob@example.org"}));
  ASSERT_TRUE(store.add_alias("b@example.org", {"bob@example.org"}));
  auto owns = [&](std::string_view address) {
    auto r = owns_address(store, "alice@example.org", address);
    EXPECT_TRUE(r) << address;
    return r && *r;
  };
  EXPECT_TRUE(owns("alice@example.org"));
  EXPECT_TRUE(owns("ALICE@Example.ORG"));
  EXPECT_TRUE(owns("al@example.org"));
  EXPECT_TRUE(owns("team@example.org"));  // reaches alice too
  EXPECT_FALSE(owns("b@example.org"));
  EXPECT_FALSE(owns("bob@example.org"));
  EXPECT_FALSE(owns("nobody@example.org"));
  EXPECT_FALSE(owns("alice@remote.test"));
  EXPECT_FALSE(owns("not an address"));
}

}  // namespace
}  // namespace postamt::mail
