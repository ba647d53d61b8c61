#include "blob/removal_lock.h"

#include <gtest/gtest.h>

#include "blob/disk_blob_store.h"
#include "blob/garbage.h"
#include "support/files.h"

namespace postamt::blob {
namespace {

using postamt::testing::TempDir;

TEST(BlobRemovalLock, ABackupKeepsCollectionOutAndBackupsShare) {
  TempDir dir;
  std::string root = dir.root().string();
  {
    auto backup = pause_blob_removals(root);
    ASSERT_TRUE(backup) << backup.error().message;
    auto another_backup = pause_blob_removals(root);
    ASSERT_TRUE(another_backup) << another_backup.error().message;
    auto collection = lock_blob_removals(root, LockWait::fail);
    ASSERT_FALSE(collection);
    EXPECT_EQ(collection.error().kind, ErrorKind::temporary);
    EXPECT_EQ(collection.error().message, "a backup is copying the blobs in " + root);
  }
  auto collection = lock_blob_removals(root, LockWait::fail);
  ASSERT_TRUE(collection) << collection.error().message;
  auto second = lock_blob_removals(root, LockWait::fail);
  EXPECT_FALSE(second);
}

TEST(BlobRemovalLock, MissingDirectoryIsNotFound) {
  TempDir dir;
  auto lock = pause_blob_removals(dir.path("blobs"));
  ASSERT_FALSE(lock);
  EXPECT_EQ(lock.error().kind, ErrorKind::not_found);
}

TEST(BlobRemovalLock, DiskStoreRemovesNothingWhileABackupCopies) {
  TempDir dir;
  auto store = DiskBlobStore::open(dir.path("blobs"));
  ASSERT_TRUE(store);
  BlobRef ref = *(*store)->put("old and unreferenced");
  {
    auto backup = pause_blob_removals(dir.path("blobs"));
    ASSERT_TRUE(backup);
    auto removed = (*store)->remove(ref);
    ASSERT_FALSE(removed);
    EXPECT_EQ(removed.error().kind, ErrorKind::temporary);
    EXPECT_EQ(removed.error().message, "a backup is copying the blobs in " + dir.path("blobs"));
    // collect_garbage stops at the refusal and reports it.
    auto report = collect_garbage(**store, std::chrono::system_clock::now() + std::chrono::hours(1),
                                  [] { return std::unordered_set<BlobRef>{}; });
    ASSERT_FALSE(report);
    EXPECT_EQ(report.error().kind, ErrorKind::temporary);
    EXPECT_TRUE(*(*store)->exists(ref));
  }
  EXPECT_TRUE((*store)->remove(ref));
  EXPECT_FALSE(*(*store)->exists(ref));
}

}  // namespace
}  // namespace postamt::blob
