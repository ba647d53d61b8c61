#include "store/sql/query.h"

namespace postamt::store::sql {

Result<Query> Query::prepare(Connection& connection, std::string_view neutral_sql) {
  auto statement = connection.prepare(translate(connection.dialect(), neutral_sql));
  if (!statement) return statement.error();
  return Query(std::move(*statement));
}

void Query::keep(Result<void> r) {
  if (!r && bind_error_) bind_error_ = r;
}

Query& Query::bind(int64_t value) {
  keep(statement_->bind_int(next_index_++, value));
  return *this;
}

Query& Query::bind(std::string_view value) {
  keep(statement_->bind_text(next_index_++, value));
  return *this;
}

Query& Query::bind_blob(std::string_view value) {
  keep(statement_->bind_blob(next_index_++, value));
  return *this;
}

Query& Query::bind_null() {
  keep(statement_->bind_null(next_index_++));
  return *this;
}

Query& Query::bind(const std::optional<std::string>& value) {
  return value ? bind(std::string_view(*value)) : bind_null();
}

Result<bool> Query::next() {
  if (!bind_error_) return bind_error_.error();
  auto step = statement_->step();
  if (!step) return step.error();
  return *step == StepResult::row;
}

Result<void> Query::run() {
  while (true) {
    auto more = next();
    if (!more) return more.error();
    if (!*more) return {};
  }
}

Result<int64_t> Query::single_int(int64_t fallback) {
  auto row = next();
  if (!row) return row.error();
  return *row ? integer(0) : fallback;
}

}  // namespace postamt::store::sql
