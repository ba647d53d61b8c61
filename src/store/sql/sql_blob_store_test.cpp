// SqlBlobStore over each database it runs on. Every case runs once per backend in
// kBackends: SQLite in a temporary folder, and PostgreSQL in a new database on the
// server of POSTAMT_TEST_PG (the ctest fixture "postgres"), migrated first.
#include "store/sql/sql_blob_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "blob/blob_contract_test.h"
#include "blob/garbage.h"
#include "store/postgres/postgres_connection.h"
#include "store/postgres/testing/test_database.h"
#include "store/sql/query.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_store.h"
#include "support/files.h"

namespace postamt::store::sql {
namespace {

using namespace std::chrono_literals;
using blob::BlobStore;
using blob::contract::BlobContract;
using postamt::testing::TempDir;
using Clock = std::chrono::system_clock;

// A database to test on: `fresh` makes a new, empty one with the store's schema
// (migrations applied) and returns how to connect to it; scratch files go under `dir`.
struct Backend {
  std::string name;
  std::function<Result<SqlBlobStore::Connect>(const std::filesystem::path& dir)> fresh;
};

void PrintTo(const Backend& backend, std::ostream* out) {
  *out << backend.name;
}

Result<SqlBlobStore::Connect> fresh_sqlite(const std::filesystem::path& dir) {
  std::string path = (dir / "postamt.db").string();
  auto store = sqlite::open_sqlite_store(path);  // applies the migrations
  if (!store) return store.error();
  return SqlBlobStore::Connect([path]() -> Result<std::unique_ptr<Connection>> {
    auto c = sqlite::SqliteConnection::open(path);
    if (!c) return c.error();
    return std::unique_ptr<Connection>(std::move(*c));
  });
}

Result<SqlBlobStore::Connect> fresh_postgres(const std::filesystem::path&) {
  auto created = postgres::TestDatabase::create();
  if (!created) return created.error();
  std::shared_ptr<postgres::TestDatabase> database = std::move(*created);
  auto writer = postgres::PostgresConnection::open(database->options());
  if (!writer) return writer.error();
  auto store = SqlStore::open(std::move(*writer));  // applies the migrations
  if (!store) return store.error();
  return SqlBlobStore::Connect([database]() -> Result<std::unique_ptr<Connection>> {
    auto c = postgres::PostgresConnection::open(database->options());
    if (!c) return c.error();
    return std::unique_ptr<Connection>(std::move(*c));
  });
}

const Backend kBackends[] = {
    {"sqlite", fresh_sqlite},
    {"postgres", fresh_postgres},
};

class SqlBlobStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto connect = GetParam().fresh(dir_.root());
    ASSERT_TRUE(connect) << connect.error().message;
    connect_ = *connect;
    auto db = connect_();
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
  }

  // A store with these options (spool_dir defaults to <dir>/spool).
  std::unique_ptr<SqlBlobStore> make(SqlBlobOptions options = {}) {
    if (options.spool_dir.empty()) options.spool_dir = spool();
    auto store = SqlBlobStore::open(connect_, options);
    EXPECT_TRUE(store) << store.error().message;
    return store ? std::move(*store) : nullptr;
  }
  std::filesystem::path spool() const { return dir_.root() / "spool"; }

  // A number the test database answers, on the test's own connection.
  int64_t number(std::string_view sql) {
    auto q = Query::prepare(*db_, sql);
    EXPECT_TRUE(q) << q.error().message;
    if (!q) return -1;
    auto n = q->single_int(-1);
    EXPECT_TRUE(n) << n.error().message;
    return n ? *n : -1;
  }
  void run(std::string_view sql) {
    auto r = exec(*db_, sql);
    ASSERT_TRUE(r) << r.error().message;
  }
  int64_t chunk_rows() { return number("SELECT count(*) FROM blob_chunk"); }
  int64_t upload_rows() { return number("SELECT count(*) FROM blob_upload"); }
  // Makes every blob look last put two hours ago.
  void age_blobs() { run("UPDATE blob SET modified = modified - 7200"); }

  TempDir dir_;
  SqlBlobStore::Connect connect_;
  std::unique_ptr<Connection> db_;
};

std::string pattern(size_t size) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) s[i] = static_cast<char>((i * 131 + i / 251) & 0xff);
  return s;
}

TEST_P(SqlBlobStoreTest, PutAndGetExactOctets) {
  auto store = make({.chunk_size = 4});
  const std::string bytes("\0\xff\r\n\0\x80 z\xff\xfe\0", 11);
  auto ref = store->put(bytes);
  ASSERT_TRUE(ref) << ref.error().message;
  EXPECT_EQ(*ref, blob::blob_ref_of(bytes));
  EXPECT_EQ(*store->get(*ref), bytes);
  EXPECT_EQ(store->open(*ref)->bytes(), bytes);
  // 11 octets in chunks of 4: 4 + 4 + 3.
  EXPECT_EQ(chunk_rows(), 3);
  EXPECT_EQ(number("SELECT chunks FROM blob"), 3);
  EXPECT_EQ(number("SELECT size FROM blob"), 11);
  EXPECT_EQ(number("SELECT sum(length(data)) FROM blob_chunk"), 11);
  EXPECT_EQ(upload_rows(), 0);
}

TEST_P(SqlBlobStoreTest, EmptyBlobHasNoChunks) {
  auto store = make();
  auto ref = store->put("");
  ASSERT_TRUE(ref) << ref.error().message;
  EXPECT_EQ(ref->hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(*store->get(*ref), "");
  EXPECT_EQ(store->open(*ref)->size(), 0u);
  EXPECT_EQ(store->info(*ref)->size, 0u);
  EXPECT_EQ(chunk_rows(), 0);
  EXPECT_EQ(number("SELECT chunks FROM blob"), 0);
  auto writer = store->begin_put();
  ASSERT_TRUE(writer);
  EXPECT_EQ(*(*writer)->finish(), *ref);
  EXPECT_EQ(number("SELECT count(*) FROM blob"), 1);
  EXPECT_EQ(upload_rows(), 0);
}

TEST_P(SqlBlobStoreTest, SameContentIsStoredOnceAndRefreshed) {
  auto store = make({.chunk_size = 8});
  const std::string small = "seven o";
  const std::string large = pattern(100);  // 13 chunks
  auto a = *store->put(small);
  auto b = *store->put(large);
  EXPECT_EQ(chunk_rows(), 1 + 13);
  age_blobs();
  const int64_t before = number("SELECT max(content) FROM blob");
  // put() of existing content writes no chunk, only the time.
  EXPECT_EQ(*store->put(small), a);
  EXPECT_EQ(*store->put(large), b);
  EXPECT_EQ(chunk_rows(), 1 + 13);
  EXPECT_EQ(number("SELECT count(*) FROM blob"), 2);
  EXPECT_EQ(number("SELECT max(content) FROM blob"), before);
  for (const BlobRef& ref : {a, b}) {
    auto modified = store->info(ref)->modified;
    EXPECT_GT(modified, Clock::now() - 60s);
    EXPECT_LT(modified, Clock::now() + 60s);
  }
  // A writer cannot know before its end: its chunks go, the existing blob stays.
  age_blobs();
  auto writer = *store->begin_put();
  for (size_t at = 0; at < large.size(); at += 30)
    ASSERT_TRUE(writer->append(large.substr(at, 30)));
  EXPECT_EQ(chunk_rows(), 1 + 13 + 12);  // full chunks sent as they came
  EXPECT_EQ(*writer->finish(), b);
  EXPECT_EQ(chunk_rows(), 1 + 13);
  EXPECT_EQ(upload_rows(), 0);
  EXPECT_GT(store->info(b)->modified, Clock::now() - 60s);
}

TEST_P(SqlBlobStoreTest, ChunkBoundaries) {
  const size_t chunk = 8;
  auto store = make({.chunk_size = chunk, .map_threshold = 17});
  for (size_t size : {size_t{1}, chunk - 1, chunk, chunk + 1, 2 * chunk - 1, 2 * chunk,
                      2 * chunk + 1, 3 * chunk, 3 * chunk + 1}) {
    SCOPED_TRACE(size);
    const std::string bytes = pattern(size);
    const int64_t chunks = static_cast<int64_t>((size + chunk - 1) / chunk);
    auto put = store->put(bytes);
    ASSERT_TRUE(put) << put.error().message;
    auto blob_chunks = [&] {
      return number("SELECT chunks FROM blob WHERE ref = '" + put->hex() + "'");
    };
    EXPECT_EQ(blob_chunks(), chunks);
    EXPECT_EQ(*store->get(*put), bytes);
    EXPECT_EQ(store->open(*put)->bytes(), bytes);  // memory below 17, spooled from 17
    ASSERT_TRUE(store->remove(*put));
    // The writer, in pieces of 3 that straddle every boundary.
    auto writer = *store->begin_put();
    for (size_t at = 0; at < size; at += 3) ASSERT_TRUE(writer->append(bytes.substr(at, 3)));
    EXPECT_EQ(writer->size(), size);
    auto written = writer->finish();
    ASSERT_TRUE(written) << written.error().message;
    EXPECT_EQ(*written, *put);
    EXPECT_EQ(blob_chunks(), chunks);
    EXPECT_EQ(number("SELECT count(*) FROM blob_chunk c JOIN blob b ON b.content = c.content "
                     "WHERE b.ref = '" +
                     put->hex() + "'"),
              chunks);
    EXPECT_EQ(*store->get(*written), bytes);
    ASSERT_TRUE(store->remove(*written));
    EXPECT_EQ(chunk_rows(), 0);
  }
  EXPECT_EQ(upload_rows(), 0);
}

// The writer sends each full chunk as it comes; only the last partial one waits.
TEST_P(SqlBlobStoreTest, WriterStreamsManyPieces) {
  auto store = make({.chunk_size = 1000});
  std::string big;
  for (int i = 0; i < 2000; ++i) big += "line " + std::to_string(i) + "\r\n";
  ASSERT_EQ(big.size(), 20890u);
  auto writer = *store->begin_put();
  EXPECT_EQ(upload_rows(), 1);
  size_t at = 0;
  for (size_t piece = 1; at < big.size(); piece = piece * 3 % 2500 + 1) {
    ASSERT_TRUE(writer->append(big.substr(at, piece)));
    at += piece;
    EXPECT_EQ(chunk_rows(), static_cast<int64_t>(std::min(at, big.size()) / 1000));
  }
  EXPECT_EQ(number("SELECT count(*) FROM blob"), 0);
  auto ref = writer->finish();
  ASSERT_TRUE(ref) << ref.error().message;
  EXPECT_EQ(*ref, blob::blob_ref_of(big));
  EXPECT_EQ(chunk_rows(), 21);  // 20 full chunks and the last 890 octets
  EXPECT_EQ(upload_rows(), 0);
  EXPECT_EQ(*store->get(*ref), big);
  auto twice = writer->finish();
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().kind, ErrorKind::invalid);
  EXPECT_EQ(writer->append("more").error().kind, ErrorKind::invalid);
}

TEST_P(SqlBlobStoreTest, DroppedWriterLeavesNoRows) {
  auto store = make({.chunk_size = 1000});
  {
    auto writer = *store->begin_put();
    ASSERT_TRUE(writer->append(pattern(2500)));
    EXPECT_EQ(chunk_rows(), 2);
    EXPECT_EQ(upload_rows(), 1);
  }
  EXPECT_EQ(chunk_rows(), 0);
  EXPECT_EQ(upload_rows(), 0);
  EXPECT_EQ(number("SELECT count(*) FROM blob"), 0);
  EXPECT_TRUE(store->list()->empty());
}

// Whether this process maps a deleted file under `folder` (how a spooled view looks).
bool maps_deleted_file_in(const std::filesystem::path& folder) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    if (line.find(folder.string() + "/blob-") != std::string::npos &&
        line.find("(deleted)") != std::string::npos) {
      return true;
    }
  }
  return false;
}

TEST_P(SqlBlobStoreTest, LargeBlobsOpenThroughTheSpoolFolder) {
  auto store = make({.chunk_size = 1000, .map_threshold = 4096});
  const std::string large = pattern(10001);
  const std::string small = pattern(4095);
  auto big_ref = *store->put(large);
  auto small_ref = *store->put(small);
  {
    auto view = store->open(big_ref);
    ASSERT_TRUE(view) << view.error().message;
    EXPECT_EQ(view->bytes(), large);
    // Mapped from a file that was unlinked at once.
    EXPECT_TRUE(std::filesystem::is_empty(spool()));
    EXPECT_TRUE(maps_deleted_file_in(spool()));
    auto copy = *view;
    view = blob::BlobView();
    EXPECT_EQ(copy.bytes(), large);  // the copy keeps the mapping
  }
  EXPECT_FALSE(maps_deleted_file_in(spool()));
  EXPECT_TRUE(std::filesystem::is_empty(spool()));
  {
    auto view = store->open(small_ref);
    EXPECT_EQ(view->bytes(), small);
    EXPECT_FALSE(maps_deleted_file_in(spool()));  // read into memory
  }
  EXPECT_EQ(*store->get(big_ref), large);
}

TEST_P(SqlBlobStoreTest, RemoveExistsInfoList) {
  auto store = make({.chunk_size = 5});
  auto a = *store->put("first blob");   // 10 octets, 2 chunks
  auto b = *store->put("second blob");  // 11 octets, 3 chunks
  EXPECT_EQ(*store->exists(a), true);
  auto info = store->info(b);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->ref, b);
  EXPECT_EQ(info->size, 11u);
  EXPECT_GT(info->modified, Clock::now() - 60s);
  EXPECT_LT(info->modified, Clock::now() + 60s);
  auto all = *store->list();
  ASSERT_EQ(all.size(), 2u);
  std::sort(all.begin(), all.end(), [](const auto& x, const auto& y) { return x.size < y.size; });
  EXPECT_EQ(all[0].ref, a);
  EXPECT_EQ(all[0].size, 10u);
  EXPECT_EQ(all[1].ref, b);
  ASSERT_TRUE(store->remove(a));
  EXPECT_EQ(*store->exists(a), false);
  EXPECT_EQ(chunk_rows(), 3);
  EXPECT_EQ(store->info(a).error().kind, ErrorKind::not_found);
  EXPECT_EQ(store->get(a).error().message, "blob " + a.hex() + " does not exist");
  EXPECT_EQ(store->remove(a).error().kind, ErrorKind::not_found);
  ASSERT_EQ(store->list()->size(), 1u);
  EXPECT_EQ(store->list()->front().ref, b);
}

TEST_P(SqlBlobStoreTest, DamagedChunksAreAnError) {
  auto store = make({.chunk_size = 4});
  auto ref = *store->put("twelve bytes");
  run("DELETE FROM blob_chunk WHERE seq = 1");
  auto got = store->get(ref);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, ErrorKind::io);
  EXPECT_EQ(got.error().message, "blob " + ref.hex() + " is damaged: chunk 1 is missing");
  run("UPDATE blob SET chunks = 1");
  EXPECT_EQ(store->open(ref).error().message,
            "blob " + ref.hex() + " is damaged: its chunks hold 4 octets, not 12");
}

TEST_P(SqlBlobStoreTest, StaleUploadsAreRemoved) {
  auto store = make({.chunk_size = 4});
  auto old_writer = *store->begin_put();
  ASSERT_TRUE(old_writer->append("crashed node's piece"));  // 5 chunks
  run("UPDATE blob_upload SET touched = touched - 7200");
  auto young_writer = *store->begin_put();
  ASSERT_TRUE(young_writer->append("still coming"));  // 3 chunks
  EXPECT_EQ(chunk_rows(), 8);

  EXPECT_EQ(*store->remove_stale_temporaries(Clock::now() - 1h), 1u);
  EXPECT_EQ(upload_rows(), 1);
  EXPECT_EQ(chunk_rows(), 3);
  // The writer whose upload went fails rather than leave chunks nobody owns.
  auto late = old_writer->append("more and more");
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().kind, ErrorKind::io);
  EXPECT_NE(late.error().message.find("removed as a stale upload"), std::string::npos);
  EXPECT_EQ(old_writer->finish().error().kind, ErrorKind::io);
  EXPECT_EQ(chunk_rows(), 3);
  // The young one is not stale; a piece refreshes it.
  EXPECT_EQ(*store->remove_stale_temporaries(Clock::now() - 1h), 0u);
  auto ref = young_writer->finish();
  ASSERT_TRUE(ref) << ref.error().message;
  EXPECT_EQ(*store->get(*ref), "still coming");
  old_writer.reset();
  young_writer.reset();
  EXPECT_EQ(upload_rows(), 0);
  EXPECT_EQ(chunk_rows(), 3);
}

TEST_P(SqlBlobStoreTest, GarbageCollectionKeepsReferencedAndRecentBlobs) {
  auto store = make({.chunk_size = 4});
  auto referenced = *store->put("referenced, old");
  auto garbage = *store->put("garbage, old");  // 12 octets
  age_blobs();
  auto recent = *store->put("unreferenced, recent");
  auto crashed = *store->begin_put();
  ASSERT_TRUE(crashed->append("half a message"));
  run("UPDATE blob_upload SET touched = touched - 7200");

  auto report = blob::collect_garbage(*store, Clock::now() - 1h, [&] {
    return Result<std::unordered_set<BlobRef>>(std::unordered_set<BlobRef>{referenced});
  });
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->blobs_removed, 1u);
  EXPECT_EQ(report->bytes_removed, 12u);
  EXPECT_EQ(report->temporaries_removed, 1u);
  EXPECT_EQ(*store->exists(referenced), true);
  EXPECT_EQ(*store->exists(garbage), false);
  EXPECT_EQ(*store->exists(recent), true);
  // Only the chunks of the two blobs left remain.
  EXPECT_EQ(chunk_rows(), 4 + 5);
  EXPECT_EQ(upload_rows(), 0);
}

// collect_garbage lists first and removes later; a put() of the same content on another
// node in between must win (sql_blob_store.h, Garbage collection with several nodes).
TEST_P(SqlBlobStoreTest, PutDuringCollectionKeepsTheBlob) {
  auto store = make();
  auto other_node = make();
  auto old = *store->put("delivered again while collecting");
  age_blobs();
  auto report = blob::collect_garbage(*store, Clock::now() - 1h, [&] {
    // After the listing saw the old time: the other node re-uses the content.
    EXPECT_EQ(*other_node->put("delivered again while collecting"), old);
    return Result<std::unordered_set<BlobRef>>(std::unordered_set<BlobRef>{});
  });
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->blobs_removed, 0u);
  EXPECT_EQ(*store->get(old), "delivered again while collecting");
  // Without the put it would have gone.
  age_blobs();
  EXPECT_EQ(*store->remove_if_older(old, Clock::now() - 1h), true);
  EXPECT_EQ(*other_node->exists(old), false);
}

TEST_P(SqlBlobStoreTest, UnreachableDatabaseIsTemporaryAndFreesItsSlot) {
  std::atomic<int> failures{2};
  std::atomic<int> opened{0};
  auto flaky = [&]() -> Result<std::unique_ptr<Connection>> {
    if (failures.fetch_sub(1) > 0) {
      return Error{ErrorKind::temporary, "could not connect to server: Connection refused"};
    }
    ++opened;
    return connect_();
  };
  auto store = SqlBlobStore::open(flaky, {.spool_dir = spool(), .connections = 1});
  ASSERT_TRUE(store);
  auto put = (*store)->put("x");
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().kind, ErrorKind::temporary);
  EXPECT_EQ(put.error().message, "could not connect to server: Connection refused");
  EXPECT_EQ((*store)->get(blob::blob_ref_of("x")).error().kind, ErrorKind::temporary);
  // The one slot was given back both times: the database is back, calls work.
  auto ref = (*store)->put("x");
  ASSERT_TRUE(ref) << ref.error().message;
  EXPECT_EQ(*(*store)->get(*ref), "x");
  EXPECT_EQ(opened.load(), 1);  // and the connection is kept for reuse
}

TEST_P(SqlBlobStoreTest, AtMostTheConfiguredConnectionsAreOpen) {
  std::atomic<int> opened{0};
  auto counting = [&]() -> Result<std::unique_ptr<Connection>> {
    ++opened;
    return connect_();
  };
  auto store =
      *SqlBlobStore::open(counting, {.chunk_size = 64, .spool_dir = spool(), .connections = 2});
  std::vector<std::thread> threads;
  std::atomic<int> failed{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        std::string bytes = pattern(100 + t * 10 + i);
        auto ref = store->put(bytes);
        if (!ref || *store->get(*ref) != bytes) ++failed;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_LE(opened.load(), 2);
  EXPECT_GE(opened.load(), 1);
}

TEST_P(SqlBlobStoreTest, OptionsAreChecked) {
  auto no_chunk = SqlBlobStore::open(connect_, {.chunk_size = 0, .spool_dir = spool()});
  ASSERT_FALSE(no_chunk);
  EXPECT_EQ(no_chunk.error().kind, ErrorKind::invalid);
  auto no_spool = SqlBlobStore::open(connect_, {});
  ASSERT_FALSE(no_spool);
  EXPECT_EQ(no_spool.error().message, "the blob store needs a spool folder");
  auto no_connections = SqlBlobStore::open(connect_, {.spool_dir = spool(), .connections = 0});
  ASSERT_FALSE(no_connections);
  EXPECT_EQ(no_connections.error().kind, ErrorKind::invalid);
  ASSERT_TRUE(SqlBlobStore::open(connect_, {.spool_dir = spool() / "made" / "here"}));
  EXPECT_TRUE(std::filesystem::is_directory(spool() / "made" / "here"));
}

INSTANTIATE_TEST_SUITE_P(Databases, SqlBlobStoreTest, ::testing::ValuesIn(kBackends),
                         [](const auto& info) { return info.param.name; });

// The generic BlobStore contract (blob/blob_contract_test.h) on every backend, with the
// default options: its larger blobs (1 MiB and more, 600 000 octets in pieces) span
// several chunks.
std::vector<blob::BlobStoreMaker> contract_makers() {
  std::vector<blob::BlobStoreMaker> makers;
  for (const Backend& backend : kBackends) {
    makers.push_back(
        {backend.name, [backend](const std::filesystem::path& dir) -> std::unique_ptr<BlobStore> {
           auto connect = backend.fresh(dir);
           EXPECT_TRUE(connect) << connect.error().message;
           if (!connect) return nullptr;
           auto store = SqlBlobStore::open(*connect, {.spool_dir = dir / "spool"});
           EXPECT_TRUE(store) << store.error().message;
           return store ? std::move(*store) : nullptr;
         }});
  }
  return makers;
}

INSTANTIATE_TEST_SUITE_P(Sql, BlobContract, ::testing::ValuesIn(contract_makers()),
                         blob::maker_name);

}  // namespace
}  // namespace postamt::store::sql
