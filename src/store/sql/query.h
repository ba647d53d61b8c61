// Query: a prepared statement with its parameters bound in order, for the SQL store.
//
//   auto q = Query::prepare(conn, "SELECT id FROM account WHERE address_key = ?");
//   if (!q) return q.error();
//   q->bind(key);
//   auto row = q->next();            // Result<bool>: true while there is a row
//   int64_t id = q->integer(0);
//
// SQL is written in the neutral form of dialect.h translate(). Binding errors are kept
// and reported by the next next()/run(). One thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "store/sql/connection.h"

namespace postamt::store::sql {

class Query {
 public:
  static Result<Query> prepare(Connection& connection, std::string_view neutral_sql);

  Query& bind(int64_t value);
  Query& bind(std::string_view value);
  Query& bind_null();
  // Arbitrary octets (NUL included) for a {BLOB} column (Statement::bind_blob).
  Query& bind_blob(std::string_view value);
  Query& bind(const std::string& value) { return bind(std::string_view(value)); }
  Query& bind(const char* value) { return bind(std::string_view(value)); }
  Query& bind(const std::optional<std::string>& value);  // nullopt binds NULL
  Query& bind(std::optional<int64_t> value) { return value ? bind(*value) : bind_null(); }

  // Steps to the next row: true when there is one, false at the end.
  Result<bool> next();
  // Steps to the end, for statements without rows.
  Result<void> run();
  // next() that requires exactly "there is a row" semantics for single-value reads:
  // returns column 0 of the first row, or `fallback` when there is no row.
  Result<int64_t> single_int(int64_t fallback);

  int64_t integer(int column) const { return statement_->column_int(column); }
  std::string text(int column) const { return statement_->column_text(column); }
  bool is_null(int column) const { return statement_->column_is_null(column); }

 private:
  explicit Query(std::unique_ptr<Statement> statement) : statement_(std::move(statement)) {}
  void keep(Result<void> r);

  std::unique_ptr<Statement> statement_;
  int next_index_ = 1;
  Result<void> bind_error_;
};

// Prepares, binds `args` in order and runs a statement that returns no rows.
template <class... Args>
Result<void> exec(Connection& db, std::string_view sql, const Args&... args) {
  auto q = Query::prepare(db, sql);
  if (!q) return q.error();
  (q->bind(args), ...);
  return q->run();
}

}  // namespace postamt::store::sql
