// open_postgres_store: the Store over a PostgreSQL database — what src/app and the admin
// CLI call when [storage] backend = "postgres". Connects, checks the database (see
// postgres_connection.h) and applies the pending migrations; several nodes may open a
// fresh database at once (the migrations run in a write transaction, which holds the
// cluster-wide write lock). Connections: one writer, and up to `pool_size` readers
// opened on demand (sql::ReaderOptions).
#pragma once

#include <memory>

#include "store/postgres/postgres_connection.h"
#include "store/sql/sql_store.h"

namespace postamt::store::postgres {

Result<std::unique_ptr<sql::SqlStore>> open_postgres_store(const PostgresOptions& options,
                                                           size_t pool_size);

}  // namespace postamt::store::postgres
