#include "app/backends.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>
#include <optional>

#include "base/unique_fd.h"
#include "blob/disk_blob_store.h"
#include "store/postgres/postgres_store.h"
#include "store/sql/sql_blob_store.h"
#include "store/sqlite/sqlite_backup.h"
#include "store/sqlite/sqlite_store.h"

namespace postamt::app {

std::filesystem::path store_file(const Config& config) {
  return config.data_dir / "postamt.db";
}

namespace {

constexpr size_t kMaxStoragePassword = 1024;

// storage.password_file: one line, readable by nobody but its owner and group.
Result<std::string> read_storage_password(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0)
    return Error{ErrorKind::invalid, fmt::format("cannot read storage.password_file {}: {}",
                                                 path.string(), std::strerror(errno))};
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    return Error{ErrorKind::invalid,
                 fmt::format("storage.password_file {} is not a regular file", path.string())};
  if (st.st_mode & S_IRWXO)
    return Error{ErrorKind::invalid,
                 fmt::format("storage.password_file {} is accessible by others (mode {:o}); "
                             "chmod o= it",
                             path.string(), st.st_mode & 07777)};
  std::string text;
  char buf[1024];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return Error{ErrorKind::invalid, fmt::format("cannot read storage.password_file {}: {}",
                                                   path.string(), std::strerror(errno))};
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxStoragePassword)
      return Error{ErrorKind::invalid,
                   fmt::format("storage.password_file {} is longer than {} octets", path.string(),
                               kMaxStoragePassword)};
  }
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (!text.empty() && text.back() == '\r') text.pop_back();
  if (text.empty() || text.find_first_of(std::string_view("\0\r\n", 3)) != std::string::npos)
    return Error{ErrorKind::invalid, fmt::format("storage.password_file {} must hold one "
                                                 "non-empty line",
                                                 path.string())};
  return text;
}

}  // namespace

Result<store::postgres::PostgresOptions> postgres_options(const Config& config) {
  store::postgres::PostgresOptions options;
  options.conninfo = config.storage.url;
  options.connect_timeout = config.storage.connect_timeout;
  options.statement_timeout = config.storage.statement_timeout;
  if (!config.storage.password_file.empty()) {
    auto password = read_storage_password(config.storage.password_file);
    POSTAMT_TRY(password);
    options.password = std::move(*password);
  }
  return options;
}

Result<std::string> check_postgres(const Config& config) {
  auto options = postgres_options(config);
  POSTAMT_TRY(options);
  auto state = store::postgres::inspect_postgres_database(*options);
  POSTAMT_TRY(state);
  return fmt::format("storage: PostgreSQL reachable, schema version {}", state->schema_version);
}

Result<bool> store_has_domain(const Config& config) {
  if (config.storage.backend == "postgres") {
    auto options = postgres_options(config);
    POSTAMT_TRY(options);
    auto state = store::postgres::inspect_postgres_database(*options);
    POSTAMT_TRY(state);
    return state->has_domain;
  }
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
  std::optional<store::postgres::PostgresOptions> pg;
  if (config.storage.backend == "postgres") {
    auto options = postgres_options(config);
    POSTAMT_TRY(options);
    pg = *options;
    auto store = store::postgres::open_postgres_store(*options, config.storage.pool_size);
    POSTAMT_TRY(store);
    b.store = std::move(*store);
  } else {
    auto store = store::sqlite::open_sqlite_store(store_file(config).string());
    POSTAMT_TRY(store);
    b.store = std::move(*store);
  }
  b.store->set_default_quota(store::QuotaLimits{config.quota.storage, config.quota.messages});
  if (config.storage.blobs == "postgres" && pg) {
    // The bytes every node reads (store/sql/sql_blob_store.h); large blobs are read
    // through unlinked files in this node's data_dir/blob-spool.
    store::sql::SqlBlobOptions options;
    options.spool_dir = config.data_dir / "blob-spool";
    std::filesystem::create_directories(options.spool_dir, ec);
    if (ec)
      return Error{ErrorKind::io,
                   fmt::format("cannot create {}: {}", options.spool_dir.string(), ec.message())};
    auto blobs = store::sql::SqlBlobStore::open(store::postgres::connector(*pg), options);
    POSTAMT_TRY(blobs);
    b.blobs = std::move(*blobs);
    return b;
  }
  auto blobs = blob::DiskBlobStore::open((config.data_dir / "blobs").string());
  POSTAMT_TRY(blobs);
  b.blobs = std::move(*blobs);
  return b;
}

}  // namespace postamt::app
