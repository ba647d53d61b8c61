// Copying every row of one SQL store into another, with ids, UIDs, UIDVALIDITYs and
// modseqs exactly as they are (`postamt store copy`, docs/operations.md "Moving to
// another store"): the tables are copied as tables, not re-created through the Store
// API, so nothing is renumbered and a client's cache stays valid.
//
// Works over two Connections of any dialects (SQLite -> PostgreSQL is the common case):
// each row is read with `SELECT *` and written with an INSERT naming the same columns,
// each value bound as the kind it was read as (Statement::column_type).
//
// Blocking, like every Connection call. Message bytes are not here: they go through
// blob::BlobStore (blob/copy.h).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "store/sql/connection.h"
#include "store/sql/sql_store.h"

namespace postamt::store::sql {

// How the rows of a copied table are numbered.
enum class Ids {
  none,           // no auto-assigned column
  auto_assigned,  // an {ID} column named "id": after copying, Dialect::after_explicit_ids
};

// What the target may already hold of a table.
enum class TargetRows {
  none,      // nothing: a row there means the target is in use, and the copy is refused
  replaced,  // the store's own rows (meta: data_version, next_uid_validity), replaced
};

struct CopiedTable {
  std::string_view name;
  Ids ids;
  TargetRows target;
};

// Every table copy_rows fills, parents before children (FOREIGN KEY order), so that each
// reference is satisfied when its row is inserted. A migration that adds a table adds it
// here, or to tables_not_copied(): copy_test fails until the two lists name every table.
std::span<const CopiedTable> copied_tables();

// The schema's tables that copy_rows leaves alone: schema_version (both stores are
// migrated to the same version before a copy).
std::span<const std::string_view> tables_not_copied();

struct TableCount {
  std::string_view table;
  int64_t source = 0;  // rows in the source (its snapshot during the copy)
  int64_t target = 0;  // rows in the target (copy_rows: inserted; copy_store: after commit)
};

// Requires a read transaction open on `source` and a write transaction on `target`; the
// caller commits or rolls back. Copies every row of copied_tables(), in that order, and
// runs the target dialect's after_explicit_ids for each table with Ids::auto_assigned.
// Returns one TableCount per copied table, in copied_tables() order.
// Errors: invalid when the target holds a row of a TargetRows::none table ("the target
// store is not empty: it has 1 domain and 2 accounts ..."), or when a column name is not
// a plain identifier; otherwise the first failing statement's error.
Result<std::vector<TableCount>> copy_rows(Connection& source, Connection& target);

// Whether `target` may be copied into: invalid (with the message copy_rows gives) when it
// holds a row of a TargetRows::none table. In its own read transaction; for a check before
// anything is written (the message files go first).
Result<void> check_copy_target(SqlStore& target);

// Rows in each copied table, in copied_tables() order. Requires an open transaction.
Result<std::vector<int64_t>> count_rows(Connection& connection);

struct StoreCopy {
  int schema_version = 0;
  // source: rows in the source's snapshot; target: rows after the commit, counted anew.
  std::vector<TableCount> tables;
  // Whether every table's counts are equal.
  bool counts_match() const;
};

// Copies `source` into `target`: both must have the same schema version (invalid
// otherwise, naming both), then copy_rows runs in one read transaction of `source` and one
// write transaction of `target` (so a failure leaves the target as it was, and a
// successful copy is one consistent snapshot of the source), then every table of the
// target is counted again in a new read transaction. The write transaction bumps the
// target's data_version once more, as every write does.
// Errors: copy_rows's, schema_version's.
Result<StoreCopy> copy_store(SqlStore& source, SqlStore& target);

}  // namespace postamt::store::sql
