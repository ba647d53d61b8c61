// TestDatabase: a fresh PostgreSQL database for one test, on the server named by the
// environment variable POSTAMT_TEST_PG (a conninfo without dbname; ctest's "postgres"
// fixture sets it, cmake/postamt.cmake). Created with TEMPLATE template0 ENCODING
// 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' under a unique name; the destructor drops it
// (closing what is still connected).
//
// create() fails — never skips — when POSTAMT_TEST_PG is unset or the server cannot be
// reached: a test that needs PostgreSQL and did not get it has not passed.
#pragma once

#include <memory>
#include <string>

#include "store/postgres/postgres_connection.h"

namespace postamt::store::postgres {

class TestDatabase {
 public:
  static Result<std::unique_ptr<TestDatabase>> create();
  // A database with another encoding (UTF8): for tests of the refusal at open.
  static Result<std::unique_ptr<TestDatabase>> create_utf8();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const PostgresOptions& options() const { return options_; }
  const std::string& name() const { return name_; }
  // The server's conninfo without dbname (POSTAMT_TEST_PG).
  const std::string& server() const { return server_; }

 private:
  static Result<std::unique_ptr<TestDatabase>> create_with(const std::string& encoding);
  TestDatabase(std::string server, std::string name);

  std::string server_;
  std::string name_;
  PostgresOptions options_;
};

}  // namespace postamt::store::postgres
