// FileLock: an advisory flock(2) lock on a file or directory, held until the FileLock is
// destroyed (or moved from). flock locks belong to the open file description, so two
// FileLocks on one path conflict even inside one process, and a lock dies with its
// process: a crashed server never leaves a stale lock behind.
//
// Postamt's two locks, both on directories so that no lock file needs an owner:
//   data_dir itself   shared by every process that opens the store (app/backends.h),
//                     exclusive for `postamt restore`, which must be alone;
//   data_dir/blobs    exclusive while garbage collection removes blobs, shared while a
//                     backup copies them (blob/removal_lock.h).
// Local file systems only (flock over NFS is emulated and unreliable).
#pragma once

#include <string>
#include <utility>

#include "base/result.h"

namespace postamt {

enum class LockMode { shared, exclusive };
enum class LockWait { block, fail };

class FileLock {
 public:
  FileLock() = default;
  FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

  // Opens `path` (an existing file or directory, read-only) and locks it in `mode`.
  // With LockWait::fail, a lock held by someone else in a conflicting mode gives
  // ErrorKind::temporary at once; with LockWait::block the call waits for it.
  // Errors: not_found when `path` does not exist, io for any other failure.
  static Result<FileLock> acquire(const std::string& path, LockMode mode, LockWait wait);

  bool held() const { return fd_ >= 0; }

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace postamt
