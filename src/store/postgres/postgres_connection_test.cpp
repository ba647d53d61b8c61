#include "store/postgres/postgres_connection.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <thread>

#include "store/postgres/change_listener.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/testing/test_database.h"
#include "store/sql/query.h"

namespace postamt::store::postgres {
namespace {

using namespace std::chrono_literals;
using sql::Query;
using sql::TransactionMode;

class PostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = TestDatabase::create();
    ASSERT_TRUE(db) << db.error().message;
    database_ = std::move(*db);
  }
  std::unique_ptr<PostgresConnection> connect(PostgresOptions options) {
    auto c = PostgresConnection::open(options);
    EXPECT_TRUE(c) << c.error().message;
    return c ? std::move(*c) : nullptr;
  }
  std::unique_ptr<PostgresConnection> connect() { return connect(database_->options()); }

  std::unique_ptr<TestDatabase> database_;
};

TEST_F(PostgresTest, UniqueViolationIsExists) {
  auto c = connect();
  ASSERT_TRUE(c->execute_script("CREATE TABLE t (k TEXT PRIMARY KEY)"));
  ASSERT_TRUE(c->begin(TransactionMode::write));
  ASSERT_TRUE(sql::exec(*c, "INSERT INTO t (k) VALUES (?)", "a"));
  auto again = sql::exec(*c, "INSERT INTO t (k) VALUES (?)", "a");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::exists) << again.error().message;
  c->rollback();
}

TEST_F(PostgresTest, StatementTimeoutIsTimeout) {
  PostgresOptions options = database_->options();
  options.statement_timeout = 1s;
  auto c = connect(options);
  auto start = std::chrono::steady_clock::now();
  auto q = Query::prepare(*c, "SELECT pg_sleep(5)");
  ASSERT_TRUE(q);
  auto slept = q->run();
  ASSERT_FALSE(slept);
  EXPECT_EQ(slept.error().kind, ErrorKind::timeout) << slept.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  // The session is usable afterwards.
  auto again = Query::prepare(*c, "SELECT 7");
  ASSERT_TRUE(again);
  EXPECT_EQ(*again->single_int(0), 7);
}

TEST_F(PostgresTest, BlobAndTextKeepEveryOctet) {
  auto c = connect();
  ASSERT_TRUE(c->execute_script(sql::translate(
      c->dialect(), "CREATE TABLE t (id {ID}, b {BLOB} NOT NULL, s TEXT NOT NULL)")));
  const std::string blob("a\0b\xff\x80\x00\n\\x00'", 11);
  const std::string text =
      "Gr\xfc\xdf"
      "e \xe2\x82\xac \xff\\x41 '\"";
  ASSERT_TRUE(c->begin(TransactionMode::write));
  auto insert = c->prepare("INSERT INTO t (b, s) VALUES ($1, $2) RETURNING id");
  ASSERT_TRUE(insert);
  ASSERT_TRUE((*insert)->bind_blob(1, blob));
  ASSERT_TRUE((*insert)->bind_text(2, text));
  ASSERT_EQ(*(*insert)->step(), sql::StepResult::row);
  EXPECT_EQ((*insert)->column_int(0), 1);
  ASSERT_TRUE(c->commit());

  auto q = Query::prepare(*c, "SELECT b, s, length(b), length(s), s = ? FROM t");
  ASSERT_TRUE(q);
  q->bind(text);
  ASSERT_TRUE(*q->next());
  EXPECT_EQ(q->text(0), blob);
  EXPECT_EQ(q->text(1), text);
  EXPECT_EQ(q->integer(2), 11);
  EXPECT_EQ(q->integer(3), static_cast<int64_t>(text.size()));  // octets, not characters
  EXPECT_EQ(q->integer(4), 1);                                  // boolean "t"
  EXPECT_FALSE(*q->next());

  // TEXT cannot hold NUL: a clear error, never a truncated value.
  auto nul = Query::prepare(*c, "SELECT ?");
  ASSERT_TRUE(nul);
  auto refused = nul->bind(std::string_view("a\0b", 3)).next();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::invalid);
}

TEST_F(PostgresTest, AggregatesAndColumnNames) {
  auto c = connect();
  ASSERT_TRUE(c->execute_script("CREATE TABLE t (n BIGINT NOT NULL)"));
  ASSERT_TRUE(sql::exec(*c, "INSERT INTO t (n) VALUES (?), (?)", int64_t{5000000000}, int64_t{7}));
  // SUM(bigint) is NUMERIC on PostgreSQL; column_int reads it.
  auto q = Query::prepare(*c, "SELECT COALESCE(SUM(n), 0) AS total, count(*) AS rows FROM t");
  ASSERT_TRUE(q);
  ASSERT_TRUE(*q->next());
  EXPECT_EQ(q->integer(0), 5000000007);
  EXPECT_EQ(q->integer(1), 2);
  auto raw = c->prepare("SELECT n AS value FROM t ORDER BY n");
  ASSERT_TRUE(raw);
  ASSERT_EQ(*(*raw)->step(), sql::StepResult::row);
  EXPECT_EQ((*raw)->column_count(), 1);
  EXPECT_EQ((*raw)->column_name(0), "value");
}

TEST_F(PostgresTest, AfterExplicitIdsMovesTheIdentityPastTheCopiedRows) {
  auto c = connect();
  ASSERT_TRUE(c->execute_script(sql::translate(c->dialect(), "CREATE TABLE t (id {ID}, v TEXT)")));
  ASSERT_TRUE(sql::exec(*c, "INSERT INTO t (id, v) VALUES (41, 'copied')"));
  auto moved = Query::prepare(*c, c->dialect().after_explicit_ids("t"));
  ASSERT_TRUE(moved);
  ASSERT_TRUE(moved->run());
  auto q = Query::prepare(*c, "INSERT INTO t (v) VALUES ('new'){RETURNING id}");
  ASSERT_TRUE(q);
  EXPECT_EQ(*q->single_int(0), 42);
}

// Statements are prepared once per connection and text; a script (a migration) drops
// them, so a statement over a changed table is planned again instead of failing with
// "cached plan must not change result type".
TEST_F(PostgresTest, PreparedStatementsAreReusedAndDroppedBySchemaChanges) {
  auto c = connect();
  ASSERT_TRUE(c->execute_script("CREATE TABLE t (a BIGINT); INSERT INTO t VALUES (1)"));
  auto select_all = [&c]() -> std::pair<int, int64_t> {
    auto raw = c->prepare("SELECT * FROM t");
    EXPECT_TRUE(raw);
    auto step = (*raw)->step();
    EXPECT_TRUE(step) << step.error().message;
    if (!step || *step != sql::StepResult::row) return {0, 0};
    int columns = (*raw)->column_count();
    return {columns, (*raw)->column_int(columns - 1)};
  };
  auto kept = [&c] {
    auto q = Query::prepare(*c, "SELECT count(*) FROM pg_prepared_statements");
    return q ? *q->single_int(-1) : -1;
  };
  EXPECT_EQ(select_all(), std::make_pair(1, int64_t{1}));
  EXPECT_EQ(select_all(), std::make_pair(1, int64_t{1}));
  EXPECT_EQ(kept(), 2);  // "SELECT * FROM t" once, and the count itself
  ASSERT_TRUE(c->execute_script("ALTER TABLE t ADD COLUMN b BIGINT NOT NULL DEFAULT 5"));
  EXPECT_EQ(select_all(), std::make_pair(2, int64_t{5}));
}

TEST(PostgresOpen, RefusesADatabaseThatIsNotSqlAscii) {
  auto db = TestDatabase::create_utf8();
  ASSERT_TRUE(db) << db.error().message;
  auto c = PostgresConnection::open((*db)->options());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ErrorKind::invalid);
  EXPECT_NE(c.error().message.find("has encoding UTF8"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("TEMPLATE template0 ENCODING 'SQL_ASCII' LC_COLLATE 'C' "
                                   "LC_CTYPE 'C'"),
            std::string::npos)
      << c.error().message;
}

TEST(PostgresOpen, UnreachableServerIsTemporaryAndHidesThePassword) {
  PostgresOptions options;
  options.conninfo = "host=/nonexistent-postamt-socket user=postamt dbname=mail";
  options.password = "s3cret-pw";
  options.connect_timeout = 2s;
  auto c = PostgresConnection::open(options);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ErrorKind::temporary);
  EXPECT_TRUE(c.error().message.starts_with("database unavailable: ")) << c.error().message;
  EXPECT_EQ(c.error().message.find("s3cret-pw"), std::string::npos);
}

// Two stores (two nodes) append to one mailbox at once: the advisory write lock makes
// both succeed with distinct, strictly increasing UIDs.
TEST_F(PostgresTest, ConcurrentWritersFromTwoStores) {
  auto a = open_postgres_store(database_->options(), 2);
  ASSERT_TRUE(a) << a.error().message;
  auto b = open_postgres_store(database_->options(), 2);
  ASSERT_TRUE(b) << b.error().message;
  ASSERT_TRUE((*a)->add_domain("example.org"));
  auto account = (*a)->create_account("user@example.org", "{ARGON2ID}x");
  ASSERT_TRUE(account);
  auto inbox = (*b)->find_mailbox(*account, "INBOX");
  ASSERT_TRUE(inbox);
  constexpr int kEach = 25;
  auto append = [&](sql::SqlStore* store, int offset, std::vector<Uid>* uids) {
    for (int i = 0; i < kEach; ++i) {
      NewMessage m;
      m.blob = *BlobRef::parse(std::string(60, '0') + fmt::format("{:04x}", offset + i));
      m.size = 10;
      auto done = store->append(inbox->id, m);
      ASSERT_TRUE(done) << done.error().message;
      uids->push_back(done->uid);
    }
  };
  std::vector<Uid> from_a, from_b;
  std::thread ta(append, a->get(), 0, &from_a);
  std::thread tb(append, b->get(), 1000, &from_b);
  ta.join();
  tb.join();
  ASSERT_EQ(from_a.size(), static_cast<size_t>(kEach));
  ASSERT_EQ(from_b.size(), static_cast<size_t>(kEach));
  for (size_t i = 1; i < from_a.size(); ++i) EXPECT_LT(from_a[i - 1], from_a[i]);
  for (size_t i = 1; i < from_b.size(); ++i) EXPECT_LT(from_b[i - 1], from_b[i]);
  std::set<Uid> all(from_a.begin(), from_a.end());
  all.insert(from_b.begin(), from_b.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(2 * kEach));
  auto listed = (*a)->list_messages(inbox->id);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), static_cast<size_t>(2 * kEach));
  for (size_t i = 0; i < listed->size(); ++i) EXPECT_EQ((*listed)[i].uid, i + 1);
  auto box = (*b)->get_mailbox(inbox->id);
  ASSERT_TRUE(box);
  EXPECT_EQ(box->uid_next, static_cast<Uid>(2 * kEach + 1));
}

// Several nodes started at once on a fresh database: each migration is applied once
// (the write transaction's advisory lock serialises them, the creation of
// schema_version included) and every node opens.
TEST_F(PostgresTest, NodesOpeningAFreshDatabaseAtOnceMigrateOnce) {
  constexpr int kNodes = 4;
  std::vector<std::unique_ptr<sql::SqlStore>> opened(kNodes);
  std::vector<std::string> errors(kNodes);
  std::vector<std::thread> threads;
  for (int i = 0; i < kNodes; ++i) {
    threads.emplace_back([&opened, &errors, i, this] {
      auto store = open_postgres_store(database_->options(), 1);
      if (store)
        opened[i] = std::move(*store);
      else
        errors[i] = store.error().message;
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kNodes; ++i) ASSERT_TRUE(opened[i]) << errors[i];
  auto c = connect();
  auto q = Query::prepare(*c,
                          "SELECT count(*), count(DISTINCT version), max(version) FROM "
                          "schema_version");
  ASSERT_TRUE(q);
  ASSERT_TRUE(*q->next());
  EXPECT_EQ(q->integer(0), q->integer(1));
  EXPECT_EQ(q->integer(2), *opened[0]->schema_version());
  auto meta = Query::prepare(*c, "SELECT count(*) FROM meta WHERE name = 'next_uid_validity'");
  ASSERT_TRUE(meta);
  EXPECT_EQ(*meta->single_int(0), 1);
}

TEST_F(PostgresTest, ChangeListenerHearsAnotherNodesWrite) {
  auto writer = open_postgres_store(database_->options(), 1);
  ASSERT_TRUE(writer) << writer.error().message;
  std::atomic<int> heard{0};
  auto listener = ChangeListener::start(database_->options(), [&heard] { ++heard; });
  ASSERT_TRUE(listener) << listener.error().message;
  // The first call reports the (re)connect.
  auto deadline = std::chrono::steady_clock::now() + 1s;
  while (heard == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  ASSERT_EQ(heard, 1);
  // A read sends nothing.
  ASSERT_TRUE((*writer)->list_domains());
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(heard, 1);
  ASSERT_TRUE((*writer)->add_domain("example.net"));
  deadline = std::chrono::steady_clock::now() + 1s;
  while (heard < 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(heard, 2);
  // A failed (rolled back) write sends nothing.
  ASSERT_FALSE((*writer)->add_domain("example.net"));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(heard, 2);
}

// Stands between the tests and the fixture's server on a Unix socket of its own, so a
// test can take "the server" away (every connection cut, new ones refused) and bring it
// back in milliseconds, without stopping the server other tests share.
class SocketProxy {
 public:
  SocketProxy(std::string folder, std::string target)
      : folder_(std::move(folder)), target_(std::move(target)) {}
  ~SocketProxy() { stop(); }

  bool start() {
    stop_ = false;
    listener_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address = unix_address(folder_ + "/.s.PGSQL.5432");
    ::unlink(address.sun_path);
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 16) != 0) {
      return false;
    }
    threads_.emplace_back([this] { accept_loop(); });
    return true;
  }
  void stop() {
    stop_ = true;
    for (auto& t : threads_) t.join();
    threads_.clear();
    if (listener_ >= 0) ::close(listener_);
    listener_ = -1;
    ::unlink((folder_ + "/.s.PGSQL.5432").c_str());
  }

 private:
  static sockaddr_un unix_address(const std::string& path) {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
    return a;
  }
  void accept_loop() {
    std::vector<std::thread> pumps;
    while (!stop_) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int client = ::accept(listener_, nullptr, nullptr);
      if (client < 0) continue;
      int server = ::socket(AF_UNIX, SOCK_STREAM, 0);
      sockaddr_un address = unix_address(target_ + "/.s.PGSQL.5432");
      if (::connect(server, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(client);
        ::close(server);
        continue;
      }
      pumps.emplace_back([this, client, server] { pump(client, server); });
    }
    for (auto& t : pumps) t.join();
  }
  void pump(int a, int b) {
    char buffer[8192];
    while (!stop_) {
      pollfd p[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
      if (::poll(p, 2, 20) <= 0) continue;
      bool closed = false;
      for (int i = 0; i < 2 && !closed; ++i) {
        if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        ssize_t n = ::read(p[i].fd, buffer, sizeof buffer);
        if (n <= 0 || ::write(p[1 - i].fd, buffer, static_cast<size_t>(n)) != n) closed = true;
      }
      if (closed) break;
    }
    ::close(a);
    ::close(b);
  }

  std::string folder_;
  std::string target_;
  int listener_ = -1;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

// The socket folder of POSTAMT_TEST_PG ("host=<folder> user=postgres").
std::string fixture_socket_folder() {
  const char* server = std::getenv("POSTAMT_TEST_PG");
  std::string s = server ? server : "";
  size_t at = s.find("host=");
  if (at == std::string::npos) return "";
  size_t end = s.find(' ', at);
  return s.substr(at + 5, end == std::string::npos ? std::string::npos : end - at - 5);
}

TEST_F(PostgresTest, UnavailableWhileTheServerIsGoneThenWorksAgain) {
  // Unix socket paths are limited to about 100 octets.
  std::string folder = "/tmp/postamt-pgproxy-" + std::to_string(::getpid());
  ::mkdir(folder.c_str(), 0700);
  SocketProxy proxy(folder, fixture_socket_folder());
  ASSERT_TRUE(proxy.start());
  PostgresOptions options;
  options.conninfo = "host=" + folder + " user=postgres dbname=" + database_->name();
  options.connect_timeout = 2s;
  auto store = open_postgres_store(options, 2);
  ASSERT_TRUE(store) << store.error().message;
  ASSERT_TRUE((*store)->add_domain("example.org"));
  ASSERT_TRUE((*store)->list_domains());  // opens a reader too
  proxy.stop();

  auto start = std::chrono::steady_clock::now();
  auto write = (*store)->add_domain("example.net");
  ASSERT_FALSE(write);
  EXPECT_EQ(write.error().kind, ErrorKind::temporary);
  EXPECT_TRUE(write.error().message.starts_with("database unavailable: ")) << write.error().message;
  auto read = (*store)->list_domains();
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().kind, ErrorKind::temporary);
  EXPECT_TRUE(read.error().message.starts_with("database unavailable: ")) << read.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);

  ASSERT_TRUE(proxy.start());
  auto again = (*store)->add_domain("example.net");
  ASSERT_TRUE(again) << again.error().message;
  auto domains = (*store)->list_domains();
  ASSERT_TRUE(domains) << domains.error().message;
  EXPECT_EQ(*domains, (std::vector<std::string>{"example.net", "example.org"}));
  proxy.stop();
  ::rmdir(folder.c_str());
}

TEST_F(PostgresTest, ChangeListenerReconnectsAndReports) {
  std::string folder = "/tmp/postamt-pglisten-" + std::to_string(::getpid());
  ::mkdir(folder.c_str(), 0700);
  SocketProxy proxy(folder, fixture_socket_folder());
  ASSERT_TRUE(proxy.start());
  PostgresOptions options;
  options.conninfo = "host=" + folder + " user=postgres dbname=" + database_->name();
  options.connect_timeout = 1s;
  // Opened first: its migrations are a write the listener would hear.
  auto writer = open_postgres_store(database_->options(), 1);
  ASSERT_TRUE(writer) << writer.error().message;
  std::atomic<int> heard{0};
  auto listener = ChangeListener::start(options, [&heard] { ++heard; });
  ASSERT_TRUE(listener) << listener.error().message;
  auto wait_for = [&heard](int n) {
    auto deadline = std::chrono::steady_clock::now() + 2s;
    while (heard < n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(5ms);
    }
    return heard.load();
  };
  EXPECT_EQ(wait_for(1), 1);
  proxy.stop();
  std::this_thread::sleep_for(300ms);
  ASSERT_TRUE(proxy.start());
  EXPECT_EQ(wait_for(2), 2);  // the reconnect is reported: changes may have been missed
  ASSERT_TRUE((*writer)->add_domain("example.org"));
  EXPECT_EQ(wait_for(3), 3);
  listener->reset();
  proxy.stop();
  ::rmdir(folder.c_str());
}

}  // namespace
}  // namespace postamt::store::postgres
