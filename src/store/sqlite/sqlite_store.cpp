#include "store/sqlite/sqlite_store.h"

namespace postamt::store::sqlite {

Result<std::unique_ptr<sql::SqlStore>> open_sqlite_store(const std::string& path,
                                                         SqliteOptions options) {
  auto connection = SqliteConnection::open(path, options);
  if (!connection) return connection.error();
  return sql::SqlStore::open(std::move(*connection));
}

}  // namespace postamt::store::sqlite
