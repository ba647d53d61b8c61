#include "store/postgres/testing/test_database.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <random>

namespace postamt::store::postgres {

namespace {

// Runs `sql` on the server's maintenance database "postgres".
Result<void> run_on_server(const std::string& server, const std::string& sql) {
  std::string conninfo = server + " dbname=postgres connect_timeout=10";
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    Error e{ErrorKind::temporary, "the test PostgreSQL server (POSTAMT_TEST_PG) is unreachable: " +
                                      std::string(PQerrorMessage(conn))};
    PQfinish(conn);
    return e;
  }
  PGresult* r = PQexec(conn, sql.c_str());
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  std::string message = ok ? "" : PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(conn);
  if (!ok) return Error{ErrorKind::io, sql + ": " + message};
  return {};
}

}  // namespace

Result<std::unique_ptr<TestDatabase>> TestDatabase::create() {
  return create_with("SQL_ASCII");
}

Result<std::unique_ptr<TestDatabase>> TestDatabase::create_utf8() {
  return create_with("UTF8");
}

Result<std::unique_ptr<TestDatabase>> TestDatabase::create_with(const std::string& encoding) {
  const char* server = std::getenv("POSTAMT_TEST_PG");
  if (server == nullptr || *server == '\0') {
    return Error{ErrorKind::invalid,
                 "POSTAMT_TEST_PG is not set: run this test through ctest, whose \"postgres\" "
                 "fixture starts a PostgreSQL server (cmake/postamt.cmake)"};
  }
  static std::atomic<int> counter{0};
  std::random_device random;
  std::string name = "postamt_test_" + std::to_string(::getpid()) + "_" +
                     std::to_string(counter++) + "_" + std::to_string(random() % 1000000);
  std::string collation = "C";  // C fits any encoding
  POSTAMT_TRY(run_on_server(server, "CREATE DATABASE " + name + " TEMPLATE template0 ENCODING '" +
                                        encoding + "' LC_COLLATE '" + collation + "' LC_CTYPE '" +
                                        collation + "'"));
  return std::unique_ptr<TestDatabase>(new TestDatabase(server, name));
}

TestDatabase::TestDatabase(std::string server, std::string name)
    : server_(std::move(server)), name_(std::move(name)) {
  options_.conninfo = server_ + " dbname=" + name_;
}

TestDatabase::~TestDatabase() {
  (void)run_on_server(server_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
}

}  // namespace postamt::store::postgres
