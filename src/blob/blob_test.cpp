#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "blob/blob_contract_test.h"
#include "blob/disk_blob_store.h"
#include "blob/garbage.h"
#include "blob/memory_blob_store.h"
#include "support/files.h"

namespace postamt::blob {
namespace {

using namespace std::chrono_literals;

using contract::BlobContract;
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

// ---- the contract (blob_contract_test.h) for both implementations ----

const BlobStoreMaker kMakers[] = {
    {"disk",
     [](const std::filesystem::path& dir) -> std::unique_ptr<BlobStore> {
       auto s = DiskBlobStore::open((dir / "blobs").string());
       EXPECT_TRUE(s) << s.error().message;
       return s ? std::move(*s) : nullptr;
     }},
    {"memory",
     [](const std::filesystem::path&) -> std::unique_ptr<BlobStore> {
       return std::make_unique<MemoryBlobStore>();
     }},
};
INSTANTIATE_TEST_SUITE_P(Backends, BlobContract, ::testing::ValuesIn(kMakers), maker_name);

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
