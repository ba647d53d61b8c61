#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "blob/disk_blob_store.h"
#include "blob/garbage.h"
#include "blob/memory_blob_store.h"
#include "support/files.h"

namespace postamt::blob {
namespace {

using namespace std::chrono_literals;

using postamt::testing::TempDir;

// Forwards to the real file system but fails chosen calls, to check that a failed
// write or fsync is reported and never turns into a success.
class FaultyFileSystem final : public FileSystem {
 public:
  enum class Fault { none, write, sync_file, rename, sync_directory };
  Fault fault = Fault::none;
  // When set, sync_directory fails only for this directory.
  std::string faulty_directory;

  Result<int> create_file(const std::string& p) override { return real_.create_file(p); }
  Result<void> write_all(int fd, std::string_view b) override {
    if (fault == Fault::write) return Error{ErrorKind::io, "write failed: No space left on device"};
    return real_.write_all(fd, b);
  }
  Result<void> sync_file(int fd) override {
    if (fault == Fault::sync_file) return Error{ErrorKind::io, "fsync failed: Input/output error"};
    return real_.sync_file(fd);
  }
  Result<void> close_file(int fd) override { return real_.close_file(fd); }
  Result<void> rename(const std::string& a, const std::string& b) override {
    if (fault == Fault::rename) return Error{ErrorKind::io, "cannot rename: Input/output error"};
    return real_.rename(a, b);
  }
  Result<void> sync_directory(const std::string& p) override {
    if (fault == Fault::sync_directory && (faulty_directory.empty() || p == faulty_directory)) {
      return Error{ErrorKind::io, "fsync of directory failed: Input/output error"};
    }
    return real_.sync_directory(p);
  }
  Result<DirectoryCreation> make_directory(const std::string& p) override {
    return real_.make_directory(p);
  }
  Result<void> remove_file(const std::string& p) override { return real_.remove_file(p); }
  Result<FileStatus> status(const std::string& p) override { return real_.status(p); }
  Result<void> touch(const std::string& p) override { return real_.touch(p); }
  Result<BlobView> map_file(const std::string& p) override { return real_.map_file(p); }
  Result<std::vector<std::string>> list_directory(const std::string& p) override {
    return real_.list_directory(p);
  }

 private:
  FileSystem& real_ = posix_file_system();
};

// ---- contract shared by both implementations ----

class BlobContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "disk") {
      auto s = DiskBlobStore::open(dir_.root().string() + "/blobs");
      ASSERT_TRUE(s) << s.error().message;
      store_ = std::move(*s);
    } else {
      store_ = std::make_unique<MemoryBlobStore>();
    }
  }
  TempDir dir_;
  std::unique_ptr<BlobStore> store_;
};

TEST_P(BlobContract, PutGetByteExact) {
  const std::string binary("a\0b\r\n\xff\x00\x80z", 10);
  // Both sides of the read/map boundary of the disk store (file_system.h).
  std::string at_limit(kReadInsteadOfMap, 'r');
  at_limit.back() = '\n';
  std::string over_limit = at_limit + "m";
  for (const std::string& bytes :
       {binary, std::string(), std::string(100000, '\0'), at_limit, over_limit}) {
    auto ref = store_->put(bytes);
    ASSERT_TRUE(ref) << ref.error().message;
    auto got = store_->get(*ref);
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, bytes);
    auto view = store_->open(*ref);
    ASSERT_TRUE(view);
    EXPECT_EQ(view->bytes(), bytes);
    EXPECT_EQ(*store_->exists(*ref), true);
    EXPECT_EQ(store_->info(*ref)->size, bytes.size());
  }
  // SHA-256 of the empty string (FIPS 180-4 test vector).
  EXPECT_EQ(store_->put("")->hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(store_->put("abc")->hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_P(BlobContract, IdenticalContentStoredOnce) {
  auto a = store_->put("same bytes");
  auto b = store_->put("same bytes");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  auto all = store_->list();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].ref, *a);
  EXPECT_EQ((*all)[0].size, 10u);
}

TEST_P(BlobContract, MissingAndRemove) {
  BlobRef nowhere = blob_ref_of("never stored");
  EXPECT_EQ(store_->get(nowhere).error().kind, ErrorKind::not_found);
  EXPECT_EQ(store_->open(nowhere).error().kind, ErrorKind::not_found);
  EXPECT_EQ(store_->remove(nowhere).error().kind, ErrorKind::not_found);
  EXPECT_EQ(store_->get(nowhere).error().message, "blob " + nowhere.hex() + " does not exist");
  EXPECT_EQ(*store_->exists(nowhere), false);

  auto ref = store_->put("to remove");
  auto view = store_->open(*ref);
  ASSERT_TRUE(store_->remove(*ref));
  EXPECT_EQ(*store_->exists(*ref), false);
  // A view taken before removal stays readable.
  EXPECT_EQ(view->bytes(), "to remove");
  EXPECT_TRUE(store_->list()->empty());
}

TEST_P(BlobContract, GarbageCollectionKeepsReferencedAndYoung) {
  auto keep = *store_->put("referenced");
  auto drop = *store_->put("unreferenced");
  auto future = std::chrono::system_clock::now() + 1h;
  auto past = std::chrono::system_clock::now() - 1h;

  // Everything is younger than `past`: nothing goes.
  auto none = collect_garbage(*store_, past, [] { return std::unordered_set<BlobRef>{}; });
  ASSERT_TRUE(none);
  EXPECT_EQ(none->blobs_removed, 0u);

  auto report = collect_garbage(*store_, future, [&] { return std::unordered_set<BlobRef>{keep}; });
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->blobs_removed, 1u);
  EXPECT_EQ(report->bytes_removed, 12u);
  EXPECT_EQ(*store_->exists(keep), true);
  EXPECT_EQ(*store_->exists(drop), false);

  auto failing = collect_garbage(*store_, future, []() -> Result<std::unordered_set<BlobRef>> {
    return Error{ErrorKind::temporary, "database is locked"};
  });
  ASSERT_FALSE(failing);
  EXPECT_EQ(failing.error().kind, ErrorKind::temporary);
  EXPECT_EQ(*store_->exists(keep), true);
}

// A blob written in pieces gets the ref and bytes put() would give; an abandoned one
// leaves nothing.
TEST_P(BlobContract, WriterInPiecesMatchesPut) {
  std::string big;
  for (int i = 0; i < 50000; ++i) big += "line " + std::to_string(i) + "\r\n";
  auto writer = store_->begin_put();
  ASSERT_TRUE(writer) << writer.error().message;
  for (size_t at = 0; at < big.size(); at += 7001)
    ASSERT_TRUE((*writer)->append(std::string_view(big).substr(at, 7001)));
  EXPECT_EQ((*writer)->size(), big.size());
  auto ref = (*writer)->finish();
  ASSERT_TRUE(ref) << ref.error().message;
  EXPECT_EQ(*ref, blob_ref_of(big));
  EXPECT_EQ(*store_->get(*ref), big);
  EXPECT_FALSE((*writer)->finish());  // at most once
  // The same content again: one blob.
  auto again = store_->begin_put();
  ASSERT_TRUE((*again)->append(big));
  EXPECT_EQ(*(*again)->finish(), *ref);
  EXPECT_EQ(store_->list()->size(), 1u);
  {
    auto abandoned = store_->begin_put();
    ASSERT_TRUE((*abandoned)->append("never finished"));
  }
  EXPECT_EQ(store_->list()->size(), 1u);
  EXPECT_EQ(*store_->exists(blob_ref_of("never finished")), false);
  EXPECT_EQ(*store_->remove_stale_temporaries(std::chrono::system_clock::now() + 1h), 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, BlobContract, ::testing::Values("disk", "memory"),
                         [](const auto& info) { return info.param; });

// ---- disk specifics ----

TEST(DiskBlobStore, LayoutIsTwoLevelFanOut) {
  TempDir dir;
  auto store = *DiskBlobStore::open(dir.root().string());
  auto ref = *store->put("abc");
  EXPECT_EQ(store->path_of(ref), dir.root().string() + "/ba/78/" + ref.hex());
  EXPECT_TRUE(std::filesystem::is_regular_file(store->path_of(ref)));
  EXPECT_TRUE(std::filesystem::is_empty(dir.root().string() + "/tmp"));
}

TEST(DiskBlobStore, FailedWritesAreErrorsAndLeaveNothing) {
  using Fault = FaultyFileSystem::Fault;
  for (Fault fault : {Fault::write, Fault::sync_file, Fault::rename}) {
    TempDir dir;
    FaultyFileSystem fs;
    auto store = *DiskBlobStore::open(dir.root().string(), fs);
    fs.fault = fault;
    auto ref = store->put("precious");
    ASSERT_FALSE(ref);
    EXPECT_EQ(ref.error().kind, ErrorKind::io);
    EXPECT_EQ(*store->exists(blob_ref_of("precious")), false);
    EXPECT_TRUE(store->list()->empty());
    EXPECT_TRUE(std::filesystem::is_empty(dir.root().string() + "/tmp"));
    // Not retried into a success behind the caller's back; a new put() works once the
    // fault is gone.
    fs.fault = FaultyFileSystem::Fault::none;
    EXPECT_TRUE(store->put("precious"));
    EXPECT_EQ(*store->get(blob_ref_of("precious")), "precious");
  }
}

TEST(DiskBlobStore, FailedDirectorySyncIsAnErrorAlsoForExistingContent) {
  TempDir dir;
  FaultyFileSystem fs;
  auto store = *DiskBlobStore::open(dir.root().string(), fs);
  std::string leaf =
      std::filesystem::path(store->path_of(blob_ref_of("precious"))).parent_path().string();
  fs.fault = FaultyFileSystem::Fault::sync_directory;
  fs.faulty_directory = leaf;
  // Fails at the last step: the file is complete and renamed, its name not durable.
  auto first = store->put("precious");
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().kind, ErrorKind::io);
  EXPECT_EQ(first.error().message, "fsync of directory failed: Input/output error");
  EXPECT_TRUE(std::filesystem::exists(store->path_of(blob_ref_of("precious"))));
  // A dedup hit on that file must not report success while the directory cannot be
  // synced.
  auto second = store->put("precious");
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind, ErrorKind::io);
  fs.fault = FaultyFileSystem::Fault::none;
  EXPECT_EQ(*store->put("precious"), blob_ref_of("precious"));
}

TEST(DiskBlobStore, AFailedWriteSpoilsTheWriterAndLeavesNothing) {
  TempDir dir;
  FaultyFileSystem fs;
  auto store = *DiskBlobStore::open(dir.root().string(), fs);
  auto writer = store->begin_put();
  ASSERT_TRUE(writer);
  ASSERT_TRUE((*writer)->append("first piece"));
  fs.fault = FaultyFileSystem::Fault::write;
  auto failed = (*writer)->append("second piece");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().kind, ErrorKind::io);
  fs.fault = FaultyFileSystem::Fault::none;
  EXPECT_FALSE((*writer)->append("third"));  // spent
  EXPECT_FALSE((*writer)->finish());
  writer->reset();
  EXPECT_TRUE(std::filesystem::is_empty(dir.root().string() + "/tmp"));
  fs.fault = FaultyFileSystem::Fault::sync_file;
  auto unsynced = store->begin_put();
  ASSERT_TRUE((*unsynced)->append("bytes"));
  auto r = (*unsynced)->finish();
  ASSERT_FALSE(r);  // never a success without fsync
  EXPECT_EQ(r.error().kind, ErrorKind::io);
  EXPECT_TRUE(store->list()->empty());
  EXPECT_TRUE(std::filesystem::is_empty(dir.root().string() + "/tmp"));
}

TEST(DiskBlobStore, TemporariesAreNeverBlobs) {
  TempDir dir;
  auto store = *DiskBlobStore::open(dir.root().string());
  // What a put() interrupted by kill -9 leaves behind.
  std::string stale = dir.root().string() + "/tmp/123.1.99";
  {
    std::FILE* f = std::fopen(stale.c_str(), "w");
    std::fputs("half", f);
    std::fclose(f);
  }
  // Garbage in a fan-out directory that is not a full hash name.
  std::filesystem::create_directories(dir.root().string() + "/ab/cd");
  {
    std::FILE* f = std::fopen((dir.root().string() + "/ab/cd/abcd").c_str(), "w");
    std::fclose(f);
  }
  EXPECT_TRUE(store->list()->empty());

  auto young = store->remove_stale_temporaries(std::chrono::system_clock::now() - 1h);
  EXPECT_EQ(*young, 0u);
  EXPECT_TRUE(std::filesystem::exists(stale));
  auto report = collect_garbage(*store, std::chrono::system_clock::now() + 1h,
                                [] { return std::unordered_set<BlobRef>{}; });
  ASSERT_TRUE(report);
  EXPECT_EQ(report->temporaries_removed, 1u);
  EXPECT_FALSE(std::filesystem::exists(stale));
}

TEST(DiskBlobStore, SecondStoreOnSameDirectorySeesBlobs) {
  TempDir dir;
  auto a = *DiskBlobStore::open(dir.root().string());
  auto b = *DiskBlobStore::open(dir.root().string());
  auto ref = *a->put("shared");
  EXPECT_EQ(*b->get(ref), "shared");
  EXPECT_EQ(*b->put("shared"), ref);
  EXPECT_EQ(b->list()->size(), 1u);
}

TEST(MemoryBlobStore, PutRefreshesModificationTime) {
  auto now = std::chrono::system_clock::time_point(1000s);
  MemoryBlobStore store([&] { return now; });
  auto ref = *store.put("x");
  EXPECT_EQ(store.info(ref)->modified, now);
  now += 10s;
  ASSERT_TRUE(store.put("x"));
  EXPECT_EQ(store.info(ref)->modified, std::chrono::system_clock::time_point(1010s));
  auto report = collect_garbage(store, std::chrono::system_clock::time_point(1005s),
                                [] { return std::unordered_set<BlobRef>{}; });
  EXPECT_EQ(report->blobs_removed, 0u);
}

}  // namespace
}  // namespace postamt::blob

namespace postamt::blob {
namespace {

// A full disk is ErrorKind::no_space (SMTP answers 452 4.3.1 for it), not a generic io
// error. /dev/full fails every write with ENOSPC.
TEST(PosixFileSystem, AFullDiskIsNoSpace) {
  const int fd = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  auto written = posix_file_system().write_all(fd, "a blob that does not fit");
  ::close(fd);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().kind, ErrorKind::no_space);
  EXPECT_NE(written.error().message.find("No space left on device"), std::string::npos)
      << written.error().message;
}

}  // namespace
}  // namespace postamt::blob
