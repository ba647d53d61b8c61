#include "store/postgres/postgres_store.h"

#include "store/sql/query.h"

namespace postamt::store::postgres {

Result<std::unique_ptr<sql::SqlStore>> open_postgres_store(const PostgresOptions& options,
                                                           size_t pool_size) {
  auto connection = PostgresConnection::open(options);
  if (!connection) return connection.error();
  sql::ReaderOptions readers;
  readers.connect = connector(options);
  readers.limit = pool_size;
  return sql::SqlStore::open(std::move(*connection), std::move(readers));
}

Result<DatabaseState> inspect_postgres_database(const PostgresOptions& options) {
  auto connection = PostgresConnection::open(options);
  if (!connection) return connection.error();
  sql::Connection& db = **connection;
  DatabaseState state;
  POSTAMT_TRY(db.begin(sql::TransactionMode::read));
  auto r = [&]() -> Result<void> {
    // to_regclass: NULL instead of an error when the table does not exist yet.
    auto tables = sql::Query::prepare(
        db, "SELECT to_regclass('schema_version') IS NOT NULL, to_regclass('domain') IS NOT NULL");
    if (!tables) return tables.error();
    auto row = tables->next();
    if (!row) return row.error();
    bool versions = tables->integer(0) != 0;
    bool domains = tables->integer(1) != 0;
    if (versions) {
      auto q = sql::Query::prepare(db, "SELECT COALESCE(max(version), 0) FROM schema_version");
      if (!q) return q.error();
      auto v = q->single_int(0);
      if (!v) return v.error();
      state.schema_version = static_cast<int>(*v);
    }
    if (domains) {
      auto q = sql::Query::prepare(db, "SELECT count(*) FROM domain");
      if (!q) return q.error();
      auto n = q->single_int(0);
      if (!n) return n.error();
      state.has_domain = *n > 0;
    }
    return {};
  }();
  db.rollback();
  if (!r) return r.error();
  return state;
}

}  // namespace postamt::store::postgres
