#include "blob/removal_lock.h"

namespace postamt::blob {

Result<FileLock> lock_blob_removals(const std::string& root, LockWait wait) {
  auto lock = FileLock::acquire(root, LockMode::exclusive, wait);
  if (!lock && lock.error().kind == ErrorKind::temporary)
    return Error{ErrorKind::temporary, "a backup is copying the blobs in " + root};
  return lock;
}

Result<FileLock> pause_blob_removals(const std::string& root) {
  return FileLock::acquire(root, LockMode::shared, LockWait::block);
}

}  // namespace postamt::blob
