// The one place that names concrete backends (docs/architecture.md, Layers): opens the store and
// the blob store a configuration asks for. Blocking.
#pragma once

#include <filesystem>

#include <memory>

#include "base/config.h"
#include "base/file_lock.h"
#include "base/result.h"
#include "blob/blob_store.h"
#include "store/api/store.h"
#include "store/postgres/postgres_connection.h"

namespace postamt::app {

struct Backends {
  // The data directory's lock, held shared for as long as the backends are open
  // (base/file_lock.h): `postamt restore` takes it exclusively, so it never runs under a
  // server or another command. Declared first, so it is released last.
  FileLock data_dir_lock;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<blob::BlobStore> blobs;
};

// Creates data_dir (mode 0700) when missing, locks it shared, then opens the configured
// store (sqlite: data_dir/postamt.db; postgres: [storage] url, with the password of
// storage.password_file and storage.pool_size reader connections) and the blob store
// (data_dir/blobs, or with [storage] blobs = "postgres" the database's blob tables, read
// through data_dir/blob-spool).
// Errors: temporary while `postamt restore` holds the data directory, or when PostgreSQL
// is unreachable ("database unavailable: ..."); invalid for an unreadable password file
// or a database of the wrong encoding; io when the directory or files cannot be created
// or opened.
Result<Backends> open_backends(const Config& config);

// Where open_backends keeps the SQLite store: data_dir/postamt.db.
std::filesystem::path store_file(const Config& config);

// Whether the configured store has a local domain, read without opening the store:
// read-only, no migration, no lock (SQLite: not through a symbolic link,
// store/sqlite/sqlite_backup.h; PostgreSQL: one connection). False when there is no
// store yet. For serve's first-start guard, before anything is bound.
Result<bool> store_has_domain(const Config& config);

// The connection options of [storage] for backend "postgres", with the password read
// from storage.password_file (one line; refused when others may read the file).
Result<store::postgres::PostgresOptions> postgres_options(const Config& config);

// For `postamt config check` with backend "postgres": connects and reads the schema
// version: "storage: PostgreSQL reachable, schema version N". Errors: the connection's.
Result<std::string> check_postgres(const Config& config);

}  // namespace postamt::app
