#include "store/postgres/postgres_store.h"

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

}  // namespace postamt::store::postgres
