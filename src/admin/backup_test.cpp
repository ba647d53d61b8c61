// make_backup, check_backup and restore_backup over a real disk blob store and a fake
// store copy (a text file of blob refs, one per line), so that every file rule is
// exercised without SQLite (store/sqlite/sqlite_backup_test.cpp covers the real copy).
#include "admin/backup.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "admin/backup_manifest.h"
#include "base/file_lock.h"
#include "blob/disk_blob_store.h"
#include "blob/removal_lock.h"
#include "support/files.h"

namespace postamt::admin {
namespace {

namespace fs = std::filesystem;
using postamt::testing::read_file;
using postamt::testing::TempDir;
using postamt::testing::write_file;
using namespace std::chrono_literals;

const std::chrono::sys_seconds kNow =
    std::chrono::sys_days(std::chrono::year(2026) / 12 / 7) + 4h + 5min + 6s;

// The live blob store as the backup sees it, noting for every blob it opens whether
// garbage collection could remove blobs at that moment.
class WatchedBlobs final : public blob::BlobStore {
 public:
  WatchedBlobs(blob::BlobStore& inner, std::string root) : inner_(inner), root_(std::move(root)) {}
  Result<std::unique_ptr<blob::BlobWriter>> begin_put() override { return inner_.begin_put(); }
  Result<BlobRef> put(std::string_view bytes) override { return inner_.put(bytes); }
  Result<std::string> get(const BlobRef& ref) override { return inner_.get(ref); }
  Result<blob::BlobView> open(const BlobRef& ref) override {
    opened_while_removable += blob::lock_blob_removals(root_, LockWait::fail).ok();
    return inner_.open(ref);
  }
  Result<bool> exists(const BlobRef& ref) override { return inner_.exists(ref); }
  Result<blob::BlobInfo> info(const BlobRef& ref) override { return inner_.info(ref); }
  Result<void> remove(const BlobRef& ref) override { return inner_.remove(ref); }
  Result<std::vector<blob::BlobInfo>> list() override { return inner_.list(); }
  Result<size_t> remove_stale_temporaries(std::chrono::system_clock::time_point t) override {
    return inner_.remove_stale_temporaries(t);
  }
  int opened_while_removable = 0;

 private:
  blob::BlobStore& inner_;
  std::string root_;
};

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.root() / "data";
    fs::create_directories(data_ / "queue" / "corrupt");
    fs::create_directories(data_ / "tls");
    auto blobs = blob::DiskBlobStore::open((data_ / "blobs").string());
    ASSERT_TRUE(blobs);
    blobs_ = std::move(*blobs);
    one_ = *blobs_->put("first message\r\n");
    two_ = *blobs_->put("second message\r\n");
    unreferenced_ = *blobs_->put("expunged long ago\r\n");
    store_text_ = one_.hex() + "\n" + two_.hex() + "\n";
    write_file(data_ / "queue" / "Q1", "postamt-queue 1\n");
    write_file(data_ / "queue" / "corrupt" / "Q0", "garbage");
    write_file(data_ / "queue" / ".lock", "");
    write_file(data_ / "tls" / "cert.pem", "CERT");
    write_file(data_ / "tls" / "key.pem", "KEY");
    write_file(dir_.root() / "outside.pem", "OUTSIDE");

    copy_.snapshot = [this](const fs::path& to) -> Result<void> {
      // The blob removal lock is held while the store is copied.
      removals_paused_ = !blob::lock_blob_removals((data_ / "blobs").string(), LockWait::fail);
      write_file(to, store_text_);
      return {};
    };
    copy_.inspect = [](const fs::path& copy) -> Result<std::vector<BlobRef>> {
      std::vector<BlobRef> refs;
      std::string text = read_file(copy);
      for (size_t at = 0; at < text.size(); at = text.find('\n', at) + 1) {
        auto ref = BlobRef::parse(text.substr(at, 64));
        if (!ref) return Error{ErrorKind::invalid, "not a store copy"};
        refs.push_back(*ref);
      }
      return refs;
    };
  }

  BackupSource source() {
    BackupSource s;
    s.data_dir = data_;
    s.blobs = blobs_.get();
    s.store = copy_;
    s.lock_queue = [this]() -> Result<std::shared_ptr<void>> {
      ++queue_locks_;
      return std::shared_ptr<void>();
    };
    s.tls_files = {data_ / "tls" / "cert.pem", data_ / "tls" / "key.pem",
                   dir_.root() / "outside.pem"};
    s.postamt_version = "0.4.0";
    s.now = kNow;
    return s;
  }

  fs::path backed_up() {
    fs::path dest = dir_.root() / "backups" / "one";
    auto made = make_backup(source(), dest);
    EXPECT_TRUE(made) << made.error().message;
    return dest;
  }

  TempDir dir_;
  fs::path data_;
  std::unique_ptr<blob::DiskBlobStore> blobs_;
  BlobRef one_, two_, unreferenced_;
  std::string store_text_;
  BackupStoreCopy copy_;
  bool removals_paused_ = false;
  int queue_locks_ = 0;
};

TEST_F(BackupTest, BackupHoldsWhatTheStoreCopyNeedsAndAManifestLast) {
  fs::path dest = dir_.root() / "backups" / "one";
  auto made = make_backup(source(), dest);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ(*made, "backup of " + data_.string() + " in " + dest.string() +
                       ": store, 2 blobs, 2 queue files, 2 TLS files; 191 bytes in 7 files\n"
                       "not included: " +
                       (dir_.root() / "outside.pem").string() + " (outside " + data_.string() +
                       "; back it up with the configuration)\n");
  EXPECT_TRUE(removals_paused_);
  EXPECT_EQ(queue_locks_, 1);
  EXPECT_EQ((fs::status(dest).permissions() & fs::perms::all), fs::perms::owner_all);

  auto manifest = parse_manifest(read_file(dest / "MANIFEST"));
  ASSERT_TRUE(manifest) << manifest.error().message;
  std::vector<std::string> paths;
  for (const auto& f : manifest->files) paths.push_back(f.path);
  std::vector<std::string> expected = {
      "blobs/" + one_.hex().substr(0, 2) + "/" + one_.hex().substr(2, 2) + "/" + one_.hex(),
      "blobs/" + two_.hex().substr(0, 2) + "/" + two_.hex().substr(2, 2) + "/" + two_.hex(),
      "postamt.db",
      "queue/Q1",
      "queue/corrupt/Q0",
      "tls/cert.pem",
      "tls/key.pem"};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(paths, expected);
  EXPECT_EQ(manifest->created, kNow);
  EXPECT_EQ(manifest->postamt_version, "0.4.0");
  EXPECT_FALSE(fs::exists(dest / "blobs" / "tmp"));
  EXPECT_FALSE(fs::exists(dest / "queue" / ".lock"));

  auto checked = check_backup(dest, copy_);
  ASSERT_TRUE(checked) << checked.error().message;
  EXPECT_EQ(*checked, "the backup in " + dest.string() +
                          " is complete and intact: made 2026-12-07T04:05:06Z by postamt "
                          "0.4.0; store, 2 blobs, 2 queue files, 2 TLS files; 191 bytes in 7 "
                          "files\n");
}

TEST_F(BackupTest, NoBlobCanBeCollectedUntilTheLastIsCopied) {
  WatchedBlobs watched(*blobs_, (data_ / "blobs").string());
  BackupSource s = source();
  s.blobs = &watched;
  ASSERT_TRUE(make_backup(s, dir_.root() / "watched"));
  EXPECT_EQ(watched.opened_while_removable, 0);
  // And the lock is released afterwards.
  EXPECT_TRUE(blob::lock_blob_removals((data_ / "blobs").string(), LockWait::fail));
}

TEST_F(BackupTest, DestinationMustBeNewOrEmpty) {
  fs::create_directories(dir_.root() / "full");
  write_file(dir_.root() / "full" / "x", "x");
  auto made = make_backup(source(), dir_.root() / "full");
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error().kind, ErrorKind::exists);
  EXPECT_EQ(made.error().message,
            (dir_.root() / "full").string() + " is not empty: back up into a new or empty folder");
  fs::create_directories(dir_.root() / "empty");
  EXPECT_TRUE(make_backup(source(), dir_.root() / "empty"));
}

TEST_F(BackupTest, AMissingOrDamagedLiveBlobFailsTheBackupAndLeavesNoManifest) {
  fs::path dest = dir_.root() / "b1";
  ASSERT_TRUE(blobs_->remove(two_));
  auto missing = make_backup(source(), dest);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
  EXPECT_EQ(missing.error().message, "the store refers to blob " + two_.hex() +
                                         ", which is missing from " + (data_ / "blobs").string() +
                                         "\nthe backup in " + dest.string() +
                                         " is incomplete (it has no MANIFEST)");
  EXPECT_FALSE(fs::exists(dest / "MANIFEST"));

  ASSERT_EQ(*blobs_->put("second message\r\n"), two_);
  write_file(blobs_->path_of(one_), "bit rot");
  auto damaged = make_backup(source(), dir_.root() / "b2");
  ASSERT_FALSE(damaged);
  EXPECT_EQ(damaged.error().kind, ErrorKind::invalid);
  EXPECT_TRUE(damaged.error().message.starts_with("blob " + one_.hex() + " in " +
                                                  (data_ / "blobs").string() + " is damaged"))
      << damaged.error().message;
}

TEST_F(BackupTest, CheckNamesEveryDamagedMissingOrUnlistedFile) {
  fs::path dest = backed_up();
  std::string blob_path =
      "blobs/" + two_.hex().substr(0, 2) + "/" + two_.hex().substr(2, 2) + "/" + two_.hex();
  write_file(dest / blob_path, "second messagE\r\n");  // same size, other bytes
  fs::remove(dest / "queue" / "Q1");
  write_file(dest / "tls" / "cert.pem", "CERTIFICATE");
  write_file(dest / "stray", "");
  auto checked = check_backup(dest, copy_);
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().kind, ErrorKind::invalid);
  EXPECT_EQ(checked.error().message,
            "the backup in " + dest.string() + " is damaged:\n  " + blob_path + ": SHA-256 " +
                blob::blob_ref_of("second messagE\r\n").hex() + ", the manifest says " +
                two_.hex() +
                "\n  queue/Q1: missing\n  tls/cert.pem: 11 bytes, the manifest "
                "says 4\n  stray: not in the manifest");

  fs::remove(dest / "MANIFEST");
  auto unfinished = check_backup(dest, copy_);
  ASSERT_FALSE(unfinished);
  EXPECT_EQ(unfinished.error().kind, ErrorKind::not_found);
  EXPECT_EQ(unfinished.error().message,
            dest.string() + " has no MANIFEST: not a Postamt backup, or one that did not finish");
}

TEST_F(BackupTest, CheckListsTwentyProblemsAndCountsTheRest) {
  fs::path dest = backed_up();
  for (int i = 10; i < 35; ++i) write_file(dest / ("stray" + std::to_string(i)), "");
  auto checked = check_backup(dest, copy_);
  ASSERT_FALSE(checked);
  const std::string& text = checked.error().message;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 21) << text;
  EXPECT_TRUE(text.ends_with("\n  and 5 more")) << text;
}

TEST_F(BackupTest, CheckFindsAStoreCopyThatRefersToABlobTheBackupLacks) {
  store_text_ += unreferenced_.hex() + "\n";
  fs::path dest = dir_.root() / "b";
  ASSERT_TRUE(make_backup(source(), dest));
  // A backup whose manifest was rewritten without one blob: every listed file matches.
  auto manifest = parse_manifest(read_file(dest / "MANIFEST"));
  ASSERT_TRUE(manifest);
  auto it = std::find_if(manifest->files.begin(), manifest->files.end(),
                         [&](const ManifestFile& f) { return f.sha256 == unreferenced_.hex(); });
  ASSERT_NE(it, manifest->files.end());
  fs::remove(dest / it->path);
  manifest->files.erase(it);
  fs::remove(dest / "MANIFEST");
  write_file(dest / "MANIFEST", serialize_manifest(*manifest));
  auto checked = check_backup(dest, copy_);
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().message, "the backup in " + dest.string() +
                                         " is damaged:\n  postamt.db: refers to blob " +
                                         unreferenced_.hex() + ", which the backup lacks");
}

TEST_F(BackupTest, RestoreMakesTheSameFilesInAnEmptyDataDirectory) {
  fs::path dest = backed_up();
  fs::path target = dir_.root() / "restored";
  auto restored =
      restore_backup(dest, target, copy_, {Overwrite::refuse, UidValidities::keep, kNow});
  ASSERT_TRUE(restored) << restored.error().message;
  EXPECT_EQ(*restored, "restored the backup made 2026-12-07T04:05:06Z by postamt 0.4.0 into " +
                           target.string() +
                           ": store, 2 blobs, 2 queue files, 2 TLS files; 191 bytes in 7 files\n");
  EXPECT_EQ(read_file(target / "postamt.db"), store_text_);
  auto blobs = blob::DiskBlobStore::open((target / "blobs").string());
  ASSERT_TRUE(blobs);
  EXPECT_EQ(*(*blobs)->get(one_), "first message\r\n");
  EXPECT_EQ(*(*blobs)->get(two_), "second message\r\n");
  EXPECT_FALSE(*(*blobs)->exists(unreferenced_));
  EXPECT_EQ(read_file(target / "queue" / "Q1"), "postamt-queue 1\n");
  EXPECT_EQ(read_file(target / "queue" / "corrupt" / "Q0"), "garbage");
  EXPECT_EQ(read_file(target / "tls" / "key.pem"), "KEY");
  EXPECT_EQ(fs::status(target / "tls" / "key.pem").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_FALSE(fs::exists(target / ".restore"));
}

TEST_F(BackupTest, RestoreRefusesAnOccupiedOrLockedDataDirectoryAndADamagedBackup) {
  fs::path dest = backed_up();
  // A running server holds the data directory's lock shared.
  auto server = FileLock::acquire(data_.string(), LockMode::shared, LockWait::fail);
  ASSERT_TRUE(server);
  auto locked =
      restore_backup(dest, data_, copy_, {Overwrite::move_aside, UidValidities::keep, kNow});
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().kind, ErrorKind::temporary);
  EXPECT_EQ(locked.error().message,
            data_.string() +
                " is in use by a running postamt (the server, or another command): "
                "stop it before restoring");
  *server = FileLock();

  auto occupied =
      restore_backup(dest, data_, copy_, {Overwrite::refuse, UidValidities::keep, kNow});
  ASSERT_FALSE(occupied);
  EXPECT_EQ(occupied.error().kind, ErrorKind::exists);
  EXPECT_EQ(occupied.error().message,
            data_.string() +
                " is not empty (blobs, queue, tls): restore into an empty data "
                "directory, or give --force to move what is there into "
                "replaced-<time>/");

  fs::path target = dir_.root() / "fresh";
  write_file(dest / "queue" / "Q1", "postamt-queue 2\n");
  auto damaged =
      restore_backup(dest, target, copy_, {Overwrite::refuse, UidValidities::keep, kNow});
  ASSERT_FALSE(damaged);
  EXPECT_EQ(damaged.error().kind, ErrorKind::invalid);
  EXPECT_TRUE(damaged.error().message.ends_with(
      "queue/Q1: SHA-256 " + blob::blob_ref_of("postamt-queue 2\n").hex() + ", the manifest says " +
      blob::blob_ref_of("postamt-queue 1\n").hex() + "\nnothing was restored"))
      << damaged.error().message;
  EXPECT_TRUE(fs::is_empty(target));
}

TEST_F(BackupTest, RestoreRenewsUidValidityInTheRestoredCopyWhenAsked) {
  fs::path dest = backed_up();
  std::vector<fs::path> renewed;
  copy_.renew_uid_validities = [&](const fs::path& copy) -> Result<size_t> {
    renewed.push_back(copy);
    write_file(copy, read_file(copy) + "renewed\n");
    return size_t{3};
  };
  fs::path target = dir_.root() / "renewed";
  auto restored =
      restore_backup(dest, target, copy_, {Overwrite::refuse, UidValidities::renew, kNow});
  ASSERT_TRUE(restored) << restored.error().message;
  EXPECT_TRUE(restored->ends_with("\nnew UIDVALIDITY for 3 mailboxes: clients fetch them anew\n"))
      << *restored;
  EXPECT_EQ(renewed, std::vector<fs::path>{target / ".restore" / "postamt.db"});
  EXPECT_EQ(read_file(target / "postamt.db"), store_text_ + "renewed\n");
  // The backup itself is untouched.
  EXPECT_TRUE(check_backup(dest, copy_));

  copy_.renew_uid_validities = [](const fs::path&) -> Result<size_t> {
    return Error{ErrorKind::io, "disk on fire"};
  };
  fs::path failed = dir_.root() / "failed";
  auto refused =
      restore_backup(dest, failed, copy_, {Overwrite::refuse, UidValidities::renew, kNow});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "disk on fire\nnothing was restored");
  EXPECT_TRUE(fs::is_empty(failed));
}

TEST_F(BackupTest, ForcedRestoreMovesWhatWasThereAside) {
  fs::path dest = backed_up();
  write_file(data_ / "postamt.db", "newer store");
  write_file(data_ / "postamt.db-wal", "its log");
  auto restored =
      restore_backup(dest, data_, copy_, {Overwrite::move_aside, UidValidities::keep, kNow});
  ASSERT_TRUE(restored) << restored.error().message;
  fs::path aside = data_ / "replaced-20261207T040506Z";
  EXPECT_TRUE(restored->ends_with("what was in " + data_.string() + " before is in " +
                                  aside.string() + "\n"))
      << *restored;
  EXPECT_EQ(read_file(data_ / "postamt.db"), store_text_);
  // A log of the replaced store must never meet the restored one.
  EXPECT_FALSE(fs::exists(data_ / "postamt.db-wal"));
  EXPECT_EQ(read_file(aside / "postamt.db-wal"), "its log");
  EXPECT_EQ(read_file(aside / "postamt.db"), "newer store");
  EXPECT_TRUE(fs::exists(aside / "blobs" / unreferenced_.hex().substr(0, 2)));
  EXPECT_FALSE(fs::exists(data_ / "blobs" / unreferenced_.hex().substr(0, 2) /
                          unreferenced_.hex().substr(2, 2) / unreferenced_.hex()));
}

}  // namespace
}  // namespace postamt::admin
