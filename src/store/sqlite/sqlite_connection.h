// SqliteConnection: sql::Connection over one SQLite database file.
//
// open(path) creates the file if missing and sets, for this connection:
//   journal_mode=WAL        readers never block the writer, and other processes
//   synchronous=FULL        a committed transaction survives power loss (WAL fsync)
//   foreign_keys=ON         ON DELETE CASCADE of accounts and mailboxes
//   busy_timeout            wait this long for another writer before SQLITE_BUSY
// Write transactions use BEGIN IMMEDIATE: the write lock is taken up front, so a
// transaction never fails half-way on a lock (SQLite upgrade deadlock).
//
// Compiled statements are kept for reuse, one per SQL text and at most
// kCachedStatements per connection: prepare() of a text seen before hands out the kept
// statement (reset, bindings cleared) instead of compiling it again; a statement in use
// is not handed out twice. Compiling costs the parser and planner and many allocations
// through SQLite's malloc, whose statistics take a process-wide mutex: reuse raised the
// bench's mixed IMAP workload from about 4 000 to 6 700 operations/s.
//
// One thread at a time (the SQL store serialises calls). Several connections — in
// this or other processes — may use the same file.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "store/sql/connection.h"

struct sqlite3;
struct sqlite3_stmt;

namespace postamt::store::sqlite {

struct SqliteOptions {
  std::chrono::milliseconds busy_timeout{5000};
};

class StatementCache;

class SqliteConnection final : public sql::Connection {
 public:
  static constexpr size_t kCachedStatements = 64;

  // ErrorKind::io with SQLite's message when the file cannot be opened or configured.
  static Result<std::unique_ptr<SqliteConnection>> open(const std::string& path,
                                                        SqliteOptions options = {});
  ~SqliteConnection() override;
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  const sql::Dialect& dialect() const override;
  Result<std::unique_ptr<sql::Statement>> prepare(std::string_view sql) override;
  Result<void> execute_script(std::string_view sql) override;
  Result<void> begin(sql::TransactionMode mode) override;
  Result<void> commit() override;
  void rollback() override;

  // Compiled statements kept idle for reuse (<= kCachedStatements).
  size_t cached_statements() const;

 private:
  explicit SqliteConnection(sqlite3* db);
  // Steps a kept statement for `sql` (no parameters, no rows) to its end.
  Result<void> run(std::string_view sql);

  sqlite3* db_;
  // Shared with the statements handed out, which may outlive the connection (they then
  // finalize themselves instead of returning).
  std::shared_ptr<StatementCache> cache_;
};

// The SQLite dialect: "?N" placeholders, INTEGER PRIMARY KEY AUTOINCREMENT, BLOB,
// RETURNING (SQLite >= 3.35), ON CONFLICT DO NOTHING.
const sql::Dialect& sqlite_dialect();

}  // namespace postamt::store::sqlite
