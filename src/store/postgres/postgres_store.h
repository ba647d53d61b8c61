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

// What a database holds, read without migrating or writing: the highest applied
// schema version and whether a local domain exists (0 and false on a fresh database).
// For `postamt config check` and serve's first-start guard. Errors: open()'s.
struct DatabaseState {
  int schema_version = 0;
  bool has_domain = false;
};
Result<DatabaseState> inspect_postgres_database(const PostgresOptions& options);

}  // namespace postamt::store::postgres
