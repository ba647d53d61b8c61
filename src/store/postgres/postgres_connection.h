// PostgresConnection: sql::Connection over one libpq connection to a PostgreSQL server.
//
// open(options) connects (libpq conninfo or URI, the password when given, libpq's
// connect_timeout), then requires a database created as docs/cluster.md says —
// server_encoding SQL_ASCII and collation C, so that TEXT keeps any octets but NUL and
// compares bytewise, as SQLite does — and sets for the session:
//   statement_timeout   a statement running longer fails with ErrorKind::timeout
//   application_name    "postamt" (pg_stat_activity)
//   client_encoding     SQL_ASCII (octets pass unconverted)
//   synchronous_commit  on: commit() returns once the commit is durable
// Transactions:
//   begin(write): BEGIN ISOLATION LEVEL READ COMMITTED, then a transaction-level advisory
//     lock (kWriteLockKey): writers are serialised cluster-wide, like SQLite's one writer,
//     so counters (UIDs, MODSEQs) grow strictly in commit order. commit() of a write
//     transaction sends NOTIFY postamt_change first; PostgreSQL delivers it at commit
//     and drops it on rollback (ChangeListener receives it).
//   begin(read): BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY, one snapshot.
// Statements run when first stepped, prepared on the server and kept per connection
// (up to 128, by SQL text and parameter types; dropped after execute_script and on
// reconnect); the whole result is fetched and step() walks its rows. Integers go as text with type
// int8, text as text of unknown type (the server infers it), bind_blob as binary BYTEA. column_text
// of a BYTEA column returns its octets; column_int parses the text form, so NUMERIC sums ("123")
// and booleans ("t"/"f" -> 1/0) read as integers.
//
// Errors (contract of sql/connection.h, refined):
//   ErrorKind::temporary, message "database unavailable: ...": cannot connect, the
//     connection was lost, the server shuts down (57P01..57P03), class 08, a
//     serialisation failure (40001) or deadlock (40P01). A lost connection is
//     reconnected at the next begin().
//   ErrorKind::exists: unique violation (23505).
//   ErrorKind::timeout: statement_timeout (57014).
//   ErrorKind::no_space: disk full (53100).
//   ErrorKind::io: everything else.
// Messages never hold the conninfo or the password.
//
// One thread at a time (the SQL store serialises calls).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "store/sql/connection.h"

struct pg_conn;

namespace postamt::store::postgres {

class PreparedStatements;

struct PostgresOptions {
  std::string conninfo;  // libpq conninfo or URI ([storage] url); never logged
  std::string password;  // from [storage] password_file; empty: libpq's own sources
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds statement_timeout{30};
};

// The key of the advisory lock every write transaction takes (pg_advisory_xact_lock).
inline constexpr int64_t kWriteLockKey = 0x706f7374616d7401;  // "postamt" 01
// The channel write transactions notify.
inline constexpr std::string_view kChangeChannel = "postamt_change";

class PostgresConnection final : public sql::Connection {
 public:
  // ErrorKind::temporary when the server cannot be reached; ErrorKind::invalid when the
  // database has the wrong encoding or collation (the message names the CREATE DATABASE
  // to use).
  static Result<std::unique_ptr<PostgresConnection>> open(const PostgresOptions& options);
  ~PostgresConnection() override;
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  const sql::Dialect& dialect() const override;
  Result<std::unique_ptr<sql::Statement>> prepare(std::string_view sql) override;
  Result<void> execute_script(std::string_view sql) override;
  // Reconnects first when the connection was lost.
  Result<void> begin(sql::TransactionMode mode) override;
  Result<void> commit() override;
  void rollback() override;

 private:
  // A fresh connection in place of a lost one (kept statements are forgotten).
  Result<void> reconnect();
  // BEGIN (and for writes the cluster-wide write lock) on the current connection.
  Result<void> start_transaction(sql::TransactionMode mode);
  PostgresConnection(PostgresOptions options, pg_conn* conn);

  PostgresOptions options_;
  pg_conn* conn_;
  std::unique_ptr<PreparedStatements> prepared_;
  bool in_write_ = false;
};

// The PostgreSQL dialect: "$N" placeholders, identity columns, BIGINT, BYTEA, RETURNING,
// ON CONFLICT DO NOTHING, the server's clock, FOR UPDATE SKIP LOCKED.
const sql::Dialect& postgres_dialect();

// A factory for more connections with the same options (reader pool, SqlBlobStore,
// `postamt store copy`).
std::function<Result<std::unique_ptr<sql::Connection>>()> connector(PostgresOptions options);

namespace detail {
// Connects with `options` and configures the session (see PostgresConnection::open);
// used by the connection and ChangeListener. The caller owns the result (PQfinish).
Result<pg_conn*> connect(const PostgresOptions& options);
}  // namespace detail

}  // namespace postamt::store::postgres
