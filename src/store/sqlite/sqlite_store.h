// open_sqlite_store: the Store over one SQLite file — what src/app and the admin CLI
// call. Creates the file and applies migrations. See store/sql/sql_store.h for the
// threading contract and store/sqlite/sqlite_connection.h for the durability settings.
#pragma once

#include <memory>
#include <string>

#include "store/sql/sql_store.h"
#include "store/sqlite/sqlite_connection.h"

namespace postamt::store::sqlite {

Result<std::unique_ptr<sql::SqlStore>> open_sqlite_store(const std::string& path,
                                                         SqliteOptions options = {});

}  // namespace postamt::store::sqlite
