#include "store/sqlite/sqlite_store.h"

namespace postamt::store::sqlite {

Result<std::unique_ptr<sql::SqlStore>> open_sqlite_store(const std::string& path,
                                                         SqliteOptions options) {
  auto connection = SqliteConnection::open(path, options);
  if (!connection) return connection.error();
  sql::ReaderOptions readers;
  readers.connect = [path, options]() -> Result<std::unique_ptr<sql::Connection>> {
    auto reader = SqliteConnection::open(path, options);
    if (!reader) return reader.error();
    return std::unique_ptr<sql::Connection>(std::move(*reader));
  };
  return sql::SqlStore::open(std::move(*connection), std::move(readers));
}

}  // namespace postamt::store::sqlite
