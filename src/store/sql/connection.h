// A small SQL connection interface: just what the SQL store needs, so that a second
// backend (PostgreSQL, store/postgres) can be added without touching store/sql.
//
// SQL text handed to prepare() is already in the backend's dialect (see Dialect and
// Query, which translate "?" placeholders and schema tokens).
//
// Threads: a Connection and its Statements are used by one thread at a time (the SQL
// store holds the writer's mutex, or a reader connection is lent to one transaction at
// a time). Calls block.
//
// Errors: ErrorKind::temporary when the database stayed locked by another writer
// (SQLITE_BUSY after busy_timeout) — the caller may retry the whole transaction;
// ErrorKind::exists for a UNIQUE or PRIMARY KEY violation; ErrorKind::io for
// everything else (disk full, corruption, failed fsync); the message says which.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "store/sql/dialect.h"

namespace postamt::store::sql {

enum class StepResult { row, done };

// The kind of value a result column holds in the current row, for code that copies rows
// without knowing the table (`postamt store copy`): it binds each value back the same way.
enum class ColumnType { integer, text, blob, null };

class Statement {
 public:
  virtual ~Statement() = default;
  // 1-based parameter index. Text is copied by the statement.
  virtual Result<void> bind_int(int index, int64_t value) = 0;
  virtual Result<void> bind_text(int index, std::string_view value) = 0;
  virtual Result<void> bind_null(int index) = 0;
  // Arbitrary octets (NUL included) for a {BLOB} column; read back with column_text.
  virtual Result<void> bind_blob(int index, std::string_view value) = 0;
  // Runs to the next row or to the end.
  virtual Result<StepResult> step() = 0;
  // 0-based column of the current row (valid after step() returned row).
  virtual int64_t column_int(int index) const = 0;
  virtual std::string column_text(int index) const = 0;
  virtual bool column_is_null(int index) const = 0;
  // The result's columns, for code that copies rows without knowing the table
  // (`postamt store copy`): how many, and the name of each (0-based). Valid after
  // step() returned row.
  virtual int column_count() const = 0;
  virtual std::string column_name(int index) const = 0;
  // The value's kind in the current row: SQLite by the value's storage class (a REAL,
  // which no Postamt table holds, reads as text); PostgreSQL by the column's type
  // (int2/int4/int8 integer, bytea blob, everything else text) or null.
  virtual ColumnType column_type(int index) const = 0;
};

enum class TransactionMode {
  read,   // a consistent snapshot for several statements
  write,  // takes the write lock at begin (SQLite BEGIN IMMEDIATE), so a transaction
          // never fails half-way because another writer got there first
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual const Dialect& dialect() const = 0;
  virtual Result<std::unique_ptr<Statement>> prepare(std::string_view sql) = 0;
  // Runs several ';'-separated statements without parameters (migrations).
  virtual Result<void> execute_script(std::string_view sql) = 0;
  virtual Result<void> begin(TransactionMode mode) = 0;
  // When commit() returns success, the transaction is durable.
  virtual Result<void> commit() = 0;
  // Never fails in a way the caller can act on; safe to call after a failed statement.
  virtual void rollback() = 0;
};

}  // namespace postamt::store::sql
