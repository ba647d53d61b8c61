// The backend under a contract test: the same cases run against every Store
// implementation, chosen by the test parameter: "memory", "sqlite" (in a temporary
// directory of its own) or "postgres" (a fresh database of its own on the server of
// ctest's "postgres" fixture; the case fails when that server is missing).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "store/memory/memory_store.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/testing/test_database.h"
#include "store/sqlite/sqlite_store.h"
#include "support/files.h"

namespace postamt::store {

class BackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      dir_.emplace();
      auto s = sqlite::open_sqlite_store(dir_->path("mail.db"));
      ASSERT_TRUE(s) << s.error().message;
      store_ = std::move(*s);
    } else if (GetParam() == "postgres") {
      auto database = postgres::TestDatabase::create();
      ASSERT_TRUE(database) << database.error().message;
      database_ = std::move(*database);
      auto s = postgres::open_postgres_store(database_->options(), 4);
      ASSERT_TRUE(s) << s.error().message;
      store_ = std::move(*s);
    } else {
      store_ = std::make_unique<MemoryStore>();
    }
    ASSERT_TRUE(store_->add_domain("example.org"));
  }
  void TearDown() override {
    store_.reset();
    database_.reset();
  }

  std::optional<postamt::testing::TempDir> dir_;
  std::unique_ptr<postgres::TestDatabase> database_;
  std::unique_ptr<Store> store_;
};

}  // namespace postamt::store
