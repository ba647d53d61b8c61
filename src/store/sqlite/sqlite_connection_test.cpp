// SqliteConnection's statement cache: reuse must never leak state (bindings, a half-read
// result, an open read snapshot) from one use of a statement to the next.
#include "store/sqlite/sqlite_connection.h"
#include "support/files.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace postamt::store::sqlite {
namespace {

class SqliteConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.path("test.db");
    auto c = SqliteConnection::open(path_);
    ASSERT_TRUE(c) << c.error().message;
    ASSERT_TRUE(
        (*c)->execute_script("CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1), "
                             "(2), (3);"));
  }

  std::unique_ptr<SqliteConnection> open() {
    auto c = SqliteConnection::open(path_);
    EXPECT_TRUE(c) << c.error().message;
    return std::move(*c);
  }

  postamt::testing::TempDir dir_;
  std::string path_;
};

TEST_F(SqliteConnectionTest, AReusedStatementStartsWithoutTheLastBindings) {
  auto c = open();
  const std::string sql = "SELECT ?1 + 1";
  {
    auto s = c->prepare(sql);
    ASSERT_TRUE(s);
    ASSERT_TRUE((*s)->bind_int(1, 41));
    ASSERT_EQ(*(*s)->step(), sql::StepResult::row);
    EXPECT_EQ((*s)->column_int(0), 42);
  }
  EXPECT_EQ(c->cached_statements(), 1u);
  auto again = c->prepare(sql);
  ASSERT_TRUE(again);
  EXPECT_EQ(c->cached_statements(), 0u);  // handed out, not shared
  ASSERT_EQ(*(*again)->step(), sql::StepResult::row);
  EXPECT_TRUE((*again)->column_is_null(0));  // NULL + 1: the binding 41 is gone
}

TEST_F(SqliteConnectionTest, AStatementLeftHalfReadStartsOverAndHoldsNoSnapshot) {
  auto c = open();
  const std::string sql = "SELECT n FROM t ORDER BY n";
  {
    auto s = c->prepare(sql);
    ASSERT_EQ(*(*s)->step(), sql::StepResult::row);
    EXPECT_EQ((*s)->column_int(0), 1);
  }
  // Another connection writes; a statement kept mid-read would still see the old rows.
  auto writer = open();
  ASSERT_TRUE(writer->execute_script("INSERT INTO t VALUES (0)"));
  auto s = c->prepare(sql);
  ASSERT_EQ(*(*s)->step(), sql::StepResult::row);
  EXPECT_EQ((*s)->column_int(0), 0);
}

TEST_F(SqliteConnectionTest, TheSameTextInUseTwiceGetsTwoStatements) {
  auto c = open();
  const std::string sql = "SELECT n FROM t WHERE n >= ?1 ORDER BY n";
  auto outer = c->prepare(sql);
  ASSERT_TRUE((*outer)->bind_int(1, 2));
  ASSERT_EQ(*(*outer)->step(), sql::StepResult::row);
  {
    auto inner = c->prepare(sql);
    ASSERT_TRUE(inner);
    ASSERT_TRUE((*inner)->bind_int(1, 3));
    ASSERT_EQ(*(*inner)->step(), sql::StepResult::row);
    EXPECT_EQ((*inner)->column_int(0), 3);
  }
  EXPECT_EQ((*outer)->column_int(0), 2);
  ASSERT_EQ(*(*outer)->step(), sql::StepResult::row);
  EXPECT_EQ((*outer)->column_int(0), 3);
  ASSERT_EQ(*(*outer)->step(), sql::StepResult::done);
}

TEST_F(SqliteConnectionTest, TextWithoutAStatementIsAnError) {
  auto c = open();
  auto s = c->prepare("  -- nothing here");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, ErrorKind::invalid);
  EXPECT_EQ(s.error().message, "cannot prepare: no statement");
  EXPECT_EQ(c->cached_statements(), 0u);
}

TEST_F(SqliteConnectionTest, TheCacheIsBounded) {
  auto c = open();
  for (int i = 0; i < 100; ++i) {
    auto s = c->prepare("SELECT " + std::to_string(i));
    ASSERT_TRUE(s);
    ASSERT_EQ(*(*s)->step(), sql::StepResult::row);
    EXPECT_EQ((*s)->column_int(0), i);
  }
  EXPECT_EQ(c->cached_statements(), SqliteConnection::kCachedStatements);
}

TEST_F(SqliteConnectionTest, AStatementMayOutliveItsConnection) {
  auto c = open();
  auto s = c->prepare("SELECT n FROM t ORDER BY n");
  ASSERT_TRUE(s);
  ASSERT_EQ(*(*s)->step(), sql::StepResult::row);
  c.reset();   // sqlite3_close_v2 waits for the statement still out
  s->reset();  // finalized, not returned to the closed cache (ASan checks the memory)
}

TEST_F(SqliteConnectionTest, TransactionsStillCommitAndRollBack) {
  auto c = open();
  ASSERT_TRUE(c->begin(sql::TransactionMode::write));
  ASSERT_TRUE(c->execute_script("INSERT INTO t VALUES (10)"));
  c->rollback();
  ASSERT_TRUE(c->begin(sql::TransactionMode::write));
  ASSERT_TRUE(c->execute_script("INSERT INTO t VALUES (20)"));
  ASSERT_TRUE(c->commit());
  auto s = c->prepare("SELECT group_concat(n) FROM (SELECT n FROM t ORDER BY n)");
  ASSERT_EQ(*(*s)->step(), sql::StepResult::row);
  EXPECT_EQ((*s)->column_text(0), "1,2,3,20");
  // BEGIN and COMMIT themselves are kept statements.
  EXPECT_GE(c->cached_statements(), 2u);
}

// `postamt store copy` binds each value back by its kind and names columns by the result.
TEST_F(SqliteConnectionTest, ResultColumnsHaveNamesAndKinds) {
  auto c = open();
  auto s = c->prepare("SELECT 7 AS i, 'x' AS t, x'00ff' AS b, NULL AS z, n FROM t WHERE n = 2");
  ASSERT_TRUE(s);
  ASSERT_EQ(*(*s)->step(), sql::StepResult::row);
  ASSERT_EQ((*s)->column_count(), 5);
  EXPECT_EQ((*s)->column_name(0), "i");
  EXPECT_EQ((*s)->column_name(4), "n");
  EXPECT_EQ((*s)->column_type(0), sql::ColumnType::integer);
  EXPECT_EQ((*s)->column_type(1), sql::ColumnType::text);
  EXPECT_EQ((*s)->column_type(2), sql::ColumnType::blob);
  EXPECT_EQ((*s)->column_type(3), sql::ColumnType::null);
  EXPECT_EQ((*s)->column_type(4), sql::ColumnType::integer);
  EXPECT_EQ((*s)->column_text(2), std::string("\0\xff", 2));
}

}  // namespace
}  // namespace postamt::store::sqlite
