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
// store (sqlite: data_dir/postamt.db) and the blob store (data_dir/blobs).
// Errors: temporary while `postamt restore` holds the data directory; io when the
// directory or files cannot be created or opened.
Result<Backends> open_backends(const Config& config);

// Where open_backends keeps the SQLite store: data_dir/postamt.db.
std::filesystem::path store_file(const Config& config);

// Whether that store has a local domain, read without opening the store: read-only, not
// through a symbolic link, no migration, no lock (store/sqlite/sqlite_backup.h). False
// when there is no store yet. For serve's first-start guard, before anything is bound.
Result<bool> store_has_domain(const Config& config);

}  // namespace postamt::app
