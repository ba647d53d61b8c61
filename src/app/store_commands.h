// `postamt store migrate` and `postamt store copy --from A --to B` (docs/operations.md,
// "The store: migrate and copy"): the store's schema, and moving a whole installation
// from one store to another (SQLite -> PostgreSQL) with its message files. Blocking.
#pragma once

#include <string>

#include "base/config.h"
#include "base/result.h"

namespace postamt::app {

// Opens the configured store, which applies the migrations it lacks, and says so:
// "schema version 17 (3 applied)\n". Errors: open_backends's.
Result<std::string> store_migrate(const Config& config);

struct StoreCopyOutput {
  std::string text;       // the summary, printed on standard output either way
  bool verified = false;  // every table's counts equal and every message file present
};

// Copies the store and message files of `from` into those of `to`, which must be empty
// (no row but its own counters): first every message file the source's messages refer to
// (blob/copy_blobs.h), then every row in one transaction (store/sql/copy.h), then the
// files that rows copied meanwhile refer to, then it checks the target: row counts per
// table equal to the source's, every referenced file present. A failed check is a
// value (verified false), not an error.
// Errors: invalid when both name the same data_dir store, when a store is no SQL store,
// when the target is in use (store/sql/copy.h), when schema versions differ; the
// blob copy's (a missing or damaged source file); open_backends's.
Result<StoreCopyOutput> store_copy(const Config& from, const Config& to);

}  // namespace postamt::app
