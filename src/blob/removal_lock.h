// The lock that keeps garbage collection from removing blobs while a backup copies them
// (docs/backup.md, Consistency). It is a flock on the blob directory itself
// (base/file_lock.h), so it works across processes: the server's hourly collection,
// `postamt gc` and `postamt backup` are separate processes.
//
// - DiskBlobStore::remove takes lock_blob_removals(root, LockWait::fail) around its
//   unlink, so every removal (garbage collection is the only caller) fails with
//   ErrorKind::temporary while a backup copies blobs; collect_garbage stops there and
//   says so, and the next round collects what is left.
// - A backup calls pause_blob_removals(root) before it snapshots the store and holds the
//   lock until its last blob is copied, so that a blob the snapshot refers to cannot be
//   collected in between (even if the live store expunged its message meanwhile).
//   It waits for a collection that is running to finish.
//
// Blocking calls. Errors: not_found when `root` does not exist, io otherwise.
#pragma once

#include <string>

#include "base/file_lock.h"
#include "base/result.h"

namespace postamt::blob {

// Exclusive: no backup is copying blobs while the lock is held.
Result<FileLock> lock_blob_removals(const std::string& root, LockWait wait);

// Shared: no garbage collection removes blobs while the lock is held; several backups may
// hold it at once.
Result<FileLock> pause_blob_removals(const std::string& root);

}  // namespace postamt::blob
