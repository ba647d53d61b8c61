// copy_blobs between two kinds of blob store: byte-exact, in pieces, resumable, and
// refusing a source file whose bytes no longer match their name.
#include "blob/copy_blobs.h"

#include <gtest/gtest.h>

#include <fstream>

#include "blob/disk_blob_store.h"
#include "blob/memory_blob_store.h"
#include "support/files.h"

namespace postamt::blob {
namespace {

using postamt::testing::TempDir;

class CopyBlobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = DiskBlobStore::open(dir_.root().string() + "/blobs");
    ASSERT_TRUE(s) << s.error().message;
    source_ = std::move(*s);
  }
  TempDir dir_;
  std::unique_ptr<DiskBlobStore> source_;
  MemoryBlobStore target_;
};

TEST_F(CopyBlobsTest, CopiesByteExactAndSkipsWhatIsThere) {
  // Larger than two pieces, with every octet value in it.
  std::string large;
  for (size_t i = 0; i < 2 * kBlobCopyPiece + 1000; ++i)
    large.push_back(static_cast<char>(i % 251));
  BlobRef big = *source_->put(large);
  BlobRef small = *source_->put(std::string("a\0b\r\n", 5));
  BlobRef empty = *source_->put("");

  auto first = copy_blobs(*source_, target_, {big, small});
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->copied, 2u);
  EXPECT_EQ(first->present, 0u);
  EXPECT_EQ(*target_.get(big), large);
  EXPECT_EQ(*target_.get(small), std::string("a\0b\r\n", 5));

  auto second = copy_blobs(*source_, target_, {big, small, empty});
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->copied, 1u);
  EXPECT_EQ(second->present, 2u);
  EXPECT_EQ(*target_.get(empty), "");
  EXPECT_EQ(*missing_blobs(target_, {big, small, empty}), std::vector<BlobRef>{});
}

TEST_F(CopyBlobsTest, AMissingSourceFileStopsTheCopy) {
  BlobRef kept = *source_->put("kept");
  BlobRef gone = *BlobRef::parse(std::string(64, 'e'));
  auto copied = copy_blobs(*source_, target_, {kept, gone});
  ASSERT_FALSE(copied);
  EXPECT_EQ(copied.error().kind, ErrorKind::not_found);
  EXPECT_EQ(copied.error().message, "message file " + gone.hex() + " is missing from the source");
  EXPECT_TRUE(*target_.exists(kept));
  EXPECT_EQ(*missing_blobs(target_, {gone, kept}), std::vector<BlobRef>{gone});
}

TEST_F(CopyBlobsTest, ADamagedSourceFileIsNotCopiedUnderItsName) {
  BlobRef ref = *source_->put("the original bytes");
  {
    std::ofstream damage(source_->path_of(ref), std::ios::binary | std::ios::trunc);
    damage << "other bytes";
  }
  auto copied = copy_blobs(*source_, target_, {ref});
  ASSERT_FALSE(copied);
  EXPECT_EQ(copied.error().kind, ErrorKind::io);
  EXPECT_EQ(copied.error().message, "message file " + ref.hex() +
                                        " is damaged in the source: its content has SHA-256 " +
                                        blob_ref_of("other bytes").hex());
  EXPECT_FALSE(*target_.exists(ref));
}

}  // namespace
}  // namespace postamt::blob
