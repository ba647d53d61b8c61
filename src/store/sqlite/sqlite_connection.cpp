#include "store/sqlite/sqlite_connection.h"

#include <sqlite3.h>

#include <functional>
#include <string>
#include <unordered_map>

#include "metrics/catalog.h"

namespace postamt::store::sqlite {

// Idle compiled statements of one connection, by SQL text (see the header).
class StatementCache {
 public:
  explicit StatementCache(size_t limit) : limit_(limit) {}
  ~StatementCache() { close(); }
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  // The kept statement for `sql`, now out of the cache; nullptr when there is none.
  sqlite3_stmt* take(std::string_view sql) {
    auto it = idle_.find(sql);
    if (it == idle_.end()) return nullptr;
    sqlite3_stmt* stmt = it->second;
    idle_.erase(it);
    return stmt;
  }

  // Takes back a statement after use: reset and kept, or finalized when the cache is
  // closed, full, or already keeps one for the same text.
  void give_back(sqlite3_stmt* stmt) {
    sqlite3_reset(stmt);  // its result repeats the last step's error, already reported
    sqlite3_clear_bindings(stmt);
    const char* sql = sqlite3_sql(stmt);
    if (closed_ || idle_.size() >= limit_ || sql == nullptr ||
        !idle_.try_emplace(std::string(sql), stmt).second) {
      sqlite3_finalize(stmt);
    }
  }

  size_t size() const { return idle_.size(); }

  // Finalizes every kept statement; statements still out finalize when given back.
  void close() {
    for (auto& [sql, stmt] : idle_) sqlite3_finalize(stmt);
    idle_.clear();
    closed_ = true;
  }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::unordered_map<std::string, sqlite3_stmt*, Hash, std::equal_to<>> idle_;
  size_t limit_;
  bool closed_ = false;
};

namespace {

Error error_of(sqlite3* db, int rc, std::string_view what) {
  int primary = rc & 0xff;
  ErrorKind kind = ErrorKind::io;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) kind = ErrorKind::temporary;
  if (primary == SQLITE_FULL) kind = ErrorKind::no_space;
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
    kind = ErrorKind::exists;
  }
  std::string message = std::string(what) + ": ";
  message += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return Error{kind, std::move(message)};
}

class SqliteDialect final : public sql::Dialect {
 public:
  std::string placeholder(int index) const override { return "?" + std::to_string(index); }
  std::string_view auto_id_column() const override {
    // AUTOINCREMENT: ids of deleted accounts and mailboxes are never handed out again.
    return "INTEGER PRIMARY KEY AUTOINCREMENT";
  }
  std::string_view big_int_type() const override { return "INTEGER"; }
  std::string_view blob_type() const override { return "BLOB"; }
  std::string returning(std::string_view column) const override {
    return " RETURNING " + std::string(column);
  }
  std::string_view on_conflict_ignore() const override { return " ON CONFLICT DO NOTHING"; }
  std::string_view now_seconds() const override { return "CAST(strftime('%s','now') AS INTEGER)"; }
  std::string_view skip_locked() const override { return ""; }
  std::string after_explicit_ids(std::string_view) const override { return ""; }
};

class SqliteStatement final : public sql::Statement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt, std::shared_ptr<StatementCache> cache)
      : db_(db), stmt_(stmt), cache_(std::move(cache)) {}
  ~SqliteStatement() override { cache_->give_back(stmt_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  Result<void> bind_int(int index, int64_t value) override {
    return check(sqlite3_bind_int64(stmt_, index, value));
  }
  Result<void> bind_text(int index, std::string_view value) override {
    return check(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                                     SQLITE_UTF8));
  }
  Result<void> bind_null(int index) override { return check(sqlite3_bind_null(stmt_, index)); }
  Result<void> bind_blob(int index, std::string_view value) override {
    return check(sqlite3_bind_blob64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT));
  }

  Result<sql::StepResult> step() override {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return sql::StepResult::row;
    if (rc == SQLITE_DONE) return sql::StepResult::done;
    return error_of(db_, sqlite3_extended_errcode(db_), "statement failed");
  }
  int64_t column_int(int index) const override { return sqlite3_column_int64(stmt_, index); }
  std::string column_text(int index) const override {
    const auto* text = sqlite3_column_text(stmt_, index);
    int size = sqlite3_column_bytes(stmt_, index);
    return text ? std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size))
                : std::string();
  }
  bool column_is_null(int index) const override {
    return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
  }
  int column_count() const override { return sqlite3_column_count(stmt_); }
  std::string column_name(int index) const override {
    const char* name = sqlite3_column_name(stmt_, index);
    return name ? name : "";
  }
  sql::ColumnType column_type(int index) const override {
    switch (sqlite3_column_type(stmt_, index)) {
      case SQLITE_INTEGER:
        return sql::ColumnType::integer;
      case SQLITE_BLOB:
        return sql::ColumnType::blob;
      case SQLITE_NULL:
        return sql::ColumnType::null;
      default:
        return sql::ColumnType::text;
    }
  }

 private:
  Result<void> check(int rc) {
    if (rc != SQLITE_OK) return error_of(db_, rc, "cannot bind parameter");
    return {};
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::shared_ptr<StatementCache> cache_;
};

}  // namespace

const sql::Dialect& sqlite_dialect() {
  static SqliteDialect dialect;
  return dialect;
}

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::open(const std::string& path,
                                                                 SqliteOptions options) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error e = error_of(db, rc, "cannot open database " + path);
    sqlite3_close(db);
    return Error{ErrorKind::io, e.message};
  }
  std::unique_ptr<SqliteConnection> connection(new SqliteConnection(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout.count()));
  // journal_mode=WAL is persistent in the file; switching needs a moment without
  // other connections, which busy_timeout waits for. secure_delete=FAST zeroes the
  // bytes of deleted rows on the pages a delete writes anyway (no extra I/O), so a
  // destroyed push subscription's url and keys do not linger in the file (RFC 8620 §7.2
  // "securely erase"); the WAL keeps the old page until the next checkpoint.
  auto configured = connection->execute_script(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
      "PRAGMA secure_delete=FAST;");
  if (!configured) {
    return Error{configured.error().kind,
                 "cannot configure database " + path + ": " + configured.error().message};
  }
  return connection;
}

SqliteConnection::SqliteConnection(sqlite3* db)
    : db_(db), cache_(std::make_shared<StatementCache>(kCachedStatements)) {}

SqliteConnection::~SqliteConnection() {
  cache_->close();
  // close_v2: a statement still out keeps the handle alive until it is finalized.
  sqlite3_close_v2(db_);
}

const sql::Dialect& SqliteConnection::dialect() const {
  return sqlite_dialect();
}

Result<std::unique_ptr<sql::Statement>> SqliteConnection::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = cache_->take(sql);
  if (stmt == nullptr) {
    int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) return error_of(db_, sqlite3_extended_errcode(db_), "cannot prepare");
    // Empty text (only a comment or spaces) compiles to no statement.
    if (stmt == nullptr) return Error{ErrorKind::invalid, "cannot prepare: no statement"};
  }
  return std::unique_ptr<sql::Statement>(new SqliteStatement(db_, stmt, cache_));
}

size_t SqliteConnection::cached_statements() const {
  return cache_->size();
}

Result<void> SqliteConnection::run(std::string_view sql) {
  auto statement = prepare(sql);
  if (!statement) return statement.error();
  while (true) {
    auto step = (*statement)->step();
    if (!step) return step.error();
    if (*step == sql::StepResult::done) return {};
  }
}

Result<void> SqliteConnection::execute_script(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string what = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    Error e = error_of(nullptr, sqlite3_extended_errcode(db_), "statement failed");
    return Error{e.kind, "statement failed: " + what};
  }
  return {};
}

Result<void> SqliteConnection::begin(sql::TransactionMode mode) {
  return run(mode == sql::TransactionMode::write ? "BEGIN IMMEDIATE" : "BEGIN");
}

Result<void> SqliteConnection::commit() {
  const metrics::Stopwatch watch;
  auto committed = run("COMMIT");
  metrics::catalog().store_commits.with({}).observe(watch.seconds());
  return committed;
}

void SqliteConnection::rollback() {
  // Rolling back when SQLite already ended the transaction (after some errors) fails
  // harmlessly; nothing else can be done about a failed rollback.
  if (!sqlite3_get_autocommit(db_)) (void)execute_script("ROLLBACK");
}

}  // namespace postamt::store::sqlite
