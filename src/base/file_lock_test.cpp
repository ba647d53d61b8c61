#include "base/file_lock.h"

#include <gtest/gtest.h>

#include "support/files.h"

namespace postamt {
namespace {

TEST(FileLock, SharedLocksCoexistAndKeepOutAnExclusiveOne) {
  testing::TempDir dir;
  auto first = FileLock::acquire(dir.root().string(), LockMode::shared, LockWait::fail);
  ASSERT_TRUE(first) << first.error().message;
  auto second = FileLock::acquire(dir.root().string(), LockMode::shared, LockWait::fail);
  ASSERT_TRUE(second) << second.error().message;
  auto exclusive = FileLock::acquire(dir.root().string(), LockMode::exclusive, LockWait::fail);
  ASSERT_FALSE(exclusive);
  EXPECT_EQ(exclusive.error().kind, ErrorKind::temporary);
  EXPECT_EQ(exclusive.error().message, dir.root().string() + " is locked");
}

TEST(FileLock, ReleasedWhenDestroyedOrMovedOver) {
  testing::TempDir dir;
  {
    auto shared = FileLock::acquire(dir.root().string(), LockMode::shared, LockWait::fail);
    ASSERT_TRUE(shared);
    FileLock moved = std::move(*shared);
    EXPECT_TRUE(moved.held());
    EXPECT_FALSE(shared->held());
    EXPECT_FALSE(FileLock::acquire(dir.root().string(), LockMode::exclusive, LockWait::fail));
    moved = FileLock();
    EXPECT_FALSE(moved.held());
    auto exclusive = FileLock::acquire(dir.root().string(), LockMode::exclusive, LockWait::fail);
    ASSERT_TRUE(exclusive);
    EXPECT_FALSE(FileLock::acquire(dir.root().string(), LockMode::shared, LockWait::fail));
  }
  EXPECT_TRUE(FileLock::acquire(dir.root().string(), LockMode::exclusive, LockWait::block));
}

TEST(FileLock, MissingPathIsNotFound) {
  testing::TempDir dir;
  auto lock = FileLock::acquire(dir.path("nothing"), LockMode::shared, LockWait::block);
  ASSERT_FALSE(lock);
  EXPECT_EQ(lock.error().kind, ErrorKind::not_found);
}

}  // namespace
}  // namespace postamt
