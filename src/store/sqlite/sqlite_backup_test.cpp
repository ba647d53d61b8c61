// snapshot_database and inspect_database_copy: a copy taken while another connection
// commits is one commit's state, is a single file in rollback-journal mode, and a damaged
// copy is reported.
#include "store/sqlite/sqlite_backup.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "store/migrations/migrations.h"
#include "store/sqlite/sqlite_store.h"
#include "support/files.h"

namespace postamt::store::sqlite {
namespace {

using namespace std::chrono_literals;
using postamt::testing::TempDir;

BlobRef blob(int n) {
  return *BlobRef::parse(fmt::format("{:064x}", n));
}
NewMessage message(int n) {
  NewMessage m;
  m.blob = blob(n);
  m.size = 10;
  m.internal_date = InternalDate(1700000000s);
  return m;
}

TEST(SqliteBackup, CopyTakenWhileAnotherConnectionWritesIsOneCommitsState) {
  TempDir dir;
  std::string live = dir.path("live.db");
  auto store = open_sqlite_store(live);
  ASSERT_TRUE(store) << store.error().message;
  ASSERT_TRUE((*store)->add_domain("example.org"));
  auto alice = (*store)->create_account("alice@example.org", "h");
  ASSERT_TRUE(alice);
  MailboxId inbox = (*store)->find_mailbox(*alice, "INBOX")->id;
  ASSERT_TRUE((*store)->append(inbox, message(1)));

  // A second store (the server) appends two messages per transaction while the copies
  // are taken: a consistent copy never holds an odd number of them.
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    auto server = open_sqlite_store(live);
    ASSERT_TRUE(server);
    for (int n = 2; !stop && n < 2000; n += 2)
      ASSERT_TRUE((*server)->append_all(inbox, {message(n), message(n + 1)}));
  });
  for (int i = 0; i < 5; ++i) {
    std::string copy = dir.path(fmt::format("copy{}.db", i));
    auto made = snapshot_database(live, copy);
    ASSERT_TRUE(made) << made.error().message;
    EXPECT_FALSE(std::filesystem::exists(copy + "-wal"));
    EXPECT_EQ(std::filesystem::status(copy).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    // Header bytes 18 and 19 are 1 in rollback-journal mode, 2 in WAL mode.
    std::string header = postamt::testing::read_file(copy).substr(18, 2);
    EXPECT_EQ(header, std::string("\x01\x01", 2));
    auto refs = inspect_database_copy(copy);
    ASSERT_TRUE(refs) << refs.error().message;
    EXPECT_EQ(refs->size() % 2, 1u);
    EXPECT_FALSE(std::filesystem::exists(copy + "-shm"));
  }
  stop = true;
  writer.join();

  // The copy opens as a store and has the live rows.
  std::string last = dir.path("last.db");
  ASSERT_TRUE(snapshot_database(live, last));
  auto live_refs = (*store)->referenced_blobs();
  auto copied = open_sqlite_store(last);
  ASSERT_TRUE(copied);
  EXPECT_EQ(*(*copied)->referenced_blobs(), *live_refs);
}

TEST(SqliteBackup, RefusesAMissingSourceOrAnExistingTarget) {
  TempDir dir;
  auto missing = snapshot_database(dir.path("none.db"), dir.path("copy.db"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
  EXPECT_FALSE(std::filesystem::exists(dir.path("none.db")));

  ASSERT_TRUE(open_sqlite_store(dir.path("live.db")));
  postamt::testing::write_file(dir.path("copy.db"), "x");
  auto exists = snapshot_database(dir.path("live.db"), dir.path("copy.db"));
  ASSERT_FALSE(exists);
  EXPECT_EQ(exists.error().kind, ErrorKind::exists);
  EXPECT_EQ(postamt::testing::read_file(dir.path("copy.db")), "x");
}

TEST(SqliteBackup, InspectRefusesACopyFromANewerPostamt) {
  TempDir dir;
  ASSERT_TRUE(open_sqlite_store(dir.path("live.db")));
  {
    auto c = SqliteConnection::open(dir.path("live.db"));
    ASSERT_TRUE(c);
    ASSERT_TRUE(
        (*c)->execute_script("INSERT INTO schema_version (version, applied_at) VALUES (999, 0)"));
  }
  ASSERT_TRUE(snapshot_database(dir.path("live.db"), dir.path("copy.db")));
  auto refs = inspect_database_copy(dir.path("copy.db"));
  ASSERT_FALSE(refs);
  EXPECT_EQ(refs.error().kind, ErrorKind::invalid);
  EXPECT_EQ(refs.error().message,
            dir.path("copy.db") + " has schema version 999; this Postamt reads versions up to " +
                std::to_string(migrations().back().version));
}

TEST(SqliteBackup, RenewedUidValiditiesAreNewGreaterAndDistinct) {
  TempDir dir;
  std::string live = dir.path("live.db");
  std::map<std::string, UidValidity> before;
  {
    auto store = open_sqlite_store(live);
    ASSERT_TRUE(store);
    ASSERT_TRUE((*store)->add_domain("example.org"));
    auto alice = (*store)->create_account("alice@example.org", "h");
    ASSERT_TRUE(alice);
    ASSERT_TRUE((*store)->create_mailbox(*alice, "Projects", MailboxRole::none));
    for (const auto& m : *(*store)->list_mailboxes(*alice)) before[m.name] = m.uid_validity;
  }
  ASSERT_GE(before.size(), 2u);
  ASSERT_TRUE(snapshot_database(live, dir.path("copy.db")));
  // A clock far ahead of the counter: the new values start there.
  auto renewed = renew_uid_validities(dir.path("copy.db"), int64_t{4000000000});
  ASSERT_TRUE(renewed) << renewed.error().message;
  EXPECT_EQ(*renewed, before.size());
  auto copy = open_sqlite_store(dir.path("copy.db"));
  ASSERT_TRUE(copy);
  auto alice = (*copy)->find_account("alice@example.org");
  ASSERT_TRUE(alice);
  std::set<UidValidity> seen;
  for (const auto& m : *(*copy)->list_mailboxes(alice->id)) {
    EXPECT_GT(m.uid_validity, before.at(m.name)) << m.name;
    EXPECT_GE(m.uid_validity, 4000000000u) << m.name;
    seen.insert(m.uid_validity);
  }
  EXPECT_EQ(seen.size(), before.size());
  // The counter moved past them: a mailbox made later gets a value of its own.
  auto made = (*copy)->create_mailbox(alice->id, "Later", MailboxRole::none);
  ASSERT_TRUE(made);
  EXPECT_FALSE(seen.count((*copy)->find_mailbox(alice->id, "Later")->uid_validity));
  EXPECT_GT((*copy)->find_mailbox(alice->id, "Later")->uid_validity, *seen.rbegin());
}

TEST(SqliteBackup, InspectReportsAFileThatIsNoDatabase) {
  TempDir dir;
  postamt::testing::write_file(dir.path("bad.db"), std::string(4096, 'x'));
  auto refs = inspect_database_copy(dir.path("bad.db"));
  ASSERT_FALSE(refs);
  EXPECT_EQ(refs.error().kind, ErrorKind::invalid);
  auto none = inspect_database_copy(dir.path("none.db"));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, ErrorKind::not_found);
}

}  // namespace
}  // namespace postamt::store::sqlite
