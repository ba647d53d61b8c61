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
// One thread at a time (the SQL store serialises calls). Several connections — in
// this or other processes — may use the same file.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "store/sql/connection.h"

struct sqlite3;

namespace postamt::store::sqlite {

struct SqliteOptions {
  std::chrono::milliseconds busy_timeout{5000};
};

class SqliteConnection final : public sql::Connection {
 public:
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

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

// The SQLite dialect: "?N" placeholders, INTEGER PRIMARY KEY AUTOINCREMENT, BLOB,
// RETURNING (SQLite >= 3.35), ON CONFLICT DO NOTHING.
const sql::Dialect& sqlite_dialect();

}  // namespace postamt::store::sqlite
