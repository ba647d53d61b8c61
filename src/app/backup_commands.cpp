#include "app/backup_commands.h"

#include <fmt/format.h>

#include <ctime>

#include "app/backends.h"
#include "queue/clock.h"
#include "queue/spool.h"
#include "store/sqlite/sqlite_backup.h"

namespace postamt::app {

namespace fs = std::filesystem;

namespace {

admin::BackupStoreCopy sqlite_copy(const fs::path& data_dir) {
  admin::BackupStoreCopy copy;
  copy.snapshot = [live = data_dir / "postamt.db"](const fs::path& to) {
    return store::sqlite::snapshot_database(live.string(), to.string());
  };
  copy.inspect = [](const fs::path& path) {
    return store::sqlite::inspect_database_copy(path.string());
  };
  copy.renew_uid_validities = [](const fs::path& path) {
    // The seed the store itself starts its counter from (store/sql/sql_store.cpp).
    auto seed = static_cast<int64_t>(static_cast<uint32_t>(std::time(nullptr)) | 1u);
    return store::sqlite::renew_uid_validities(path.string(), seed);
  };
  return copy;
}

std::chrono::sys_seconds now_seconds() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

// Relative paths (e.g. "backup" typed at a shell) are taken from the working directory.
fs::path full_path(const fs::path& p) {
  std::error_code ec;
  fs::path a = fs::absolute(p, ec);
  a = (ec ? p : a).lexically_normal();
  // "backups/first/" names the folder "first", not an empty name inside it.
  if (a.filename().empty() && a.has_parent_path()) a = a.parent_path();
  return a;
}

}  // namespace

namespace {

// `postamt backup|restore` copy the SQLite store and the blob files of one data_dir; a
// PostgreSQL store is backed up with PostgreSQL's own tools (docs/cluster.md).
Result<void> refuse_postgres(const Config& config, std::string_view command) {
  if (config.storage.backend != "postgres") return {};
  return Error{ErrorKind::invalid,
               fmt::format("postamt {} copies a SQLite store; this configuration uses "
                           "PostgreSQL: back it up with pg_dump or pg_basebackup (docs/cluster.md)",
                           command)};
}

}  // namespace

Result<std::string> backup_data_dir(const Config& config, const fs::path& dest) {
  POSTAMT_TRY(refuse_postgres(config, "backup"));
  // Holds the data directory shared (no restore meanwhile) and opens the live blobs.
  auto backends = open_backends(config);
  POSTAMT_TRY(backends);
  admin::BackupSource source;
  source.data_dir = config.data_dir;
  source.blobs = backends->blobs.get();
  source.store = sqlite_copy(config.data_dir);
  source.lock_queue = [dir = config.data_dir / "queue"]() -> Result<std::shared_ptr<void>> {
    auto queue = queue::FileQueue::open(dir, queue::system_clock_now);
    POSTAMT_TRY(queue);
    auto lock = (*queue)->lock();
    POSTAMT_TRY(lock);
    return std::shared_ptr<void>(std::make_shared<queue::QueueLock>(std::move(*lock)));
  };
  source.tls_files = {config.tls.certificate, config.tls.private_key};
  source.postamt_version = POSTAMT_VERSION;
  source.now = now_seconds();
  return admin::make_backup(source, full_path(dest));
}

Result<std::string> check_backup_folder(const fs::path& src) {
  return admin::check_backup(full_path(src), sqlite_copy({}));
}

Result<std::string> restore_data_dir(const Config& config, const fs::path& src,
                                     admin::Overwrite overwrite,
                                     admin::UidValidities uid_validities) {
  POSTAMT_TRY(refuse_postgres(config, "restore"));
  return admin::restore_backup(full_path(src), config.data_dir, sqlite_copy(config.data_dir),
                               {overwrite, uid_validities, now_seconds()});
}

}  // namespace postamt::app
