#include "app/backends.h"

#include <sys/stat.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>

#include "blob/disk_blob_store.h"
#include "store/sqlite/sqlite_backup.h"
#include "store/sqlite/sqlite_store.h"

namespace postamt::app {

std::filesystem::path store_file(const Config& config) {
  return config.data_dir / "postamt.db";
}

Result<bool> store_has_domain(const Config& config) {
  return store::sqlite::database_has_domain(store_file(config).string());
}

Result<Backends> open_backends(const Config& config) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec)
    return Error{ErrorKind::io, fmt::format("cannot create the data directory {}: {}",
                                            config.data_dir.string(), ec.message())};
  // Mail is private: only the server's user may read the data directory.
  if (::chmod(config.data_dir.c_str(), 0700) != 0)
    return Error{ErrorKind::io, fmt::format("cannot set the mode of {}: {}",
                                            config.data_dir.string(), std::strerror(errno))};

  Backends b;
  auto lock = FileLock::acquire(config.data_dir.string(), LockMode::shared, LockWait::fail);
  if (!lock) {
    if (lock.error().kind != ErrorKind::temporary) return lock.error();
    return Error{ErrorKind::temporary,
                 fmt::format("{} is being restored (postamt restore); try again when it is done",
                             config.data_dir.string())};
  }
  b.data_dir_lock = std::move(*lock);
  auto store = store::sqlite::open_sqlite_store(store_file(config).string());
  POSTAMT_TRY(store);
  b.store = std::move(*store);
  b.store->set_default_quota(store::QuotaLimits{config.quota.storage, config.quota.messages});
  auto blobs = blob::DiskBlobStore::open((config.data_dir / "blobs").string());
  POSTAMT_TRY(blobs);
  b.blobs = std::move(*blobs);
  return b;
}

}  // namespace postamt::app
