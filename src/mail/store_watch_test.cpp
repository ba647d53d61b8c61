#include "mail/store_watch.h"

#include <gtest/gtest.h>

#include "store/memory/memory_store.h"

namespace postamt::mail {
namespace {

TEST(StoreWatch, VersionMovesOnlyWhenPolledAfterAWrite) {
  store::MemoryStore store;
  StoreWatch watch(store);
  EXPECT_EQ(watch.version(), 0u);
  ASSERT_TRUE(watch.poll());
  uint64_t first = watch.version();
  EXPECT_EQ(first, *store.data_version());
  ASSERT_TRUE(store.add_domain("example.org"));
  EXPECT_EQ(watch.version(), first);  // not polled yet
  ASSERT_TRUE(watch.poll());
  EXPECT_GT(watch.version(), first);
  uint64_t second = watch.version();
  ASSERT_TRUE(watch.poll());
  EXPECT_EQ(watch.version(), second);
}

}  // namespace
}  // namespace postamt::mail
