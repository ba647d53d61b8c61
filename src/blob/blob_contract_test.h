// The BlobStore contract (blob/blob_store.h) as parameterized cases, run against every
// implementation: blob_test.cpp instantiates it for the disk and memory stores,
// store/sql/sql_blob_store_test.cpp for the SQL store on each database it tests.
// Include it in exactly one file of a test binary.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <unordered_set>

#include "blob/blob_store.h"
#include "blob/file_system.h"
#include "blob/garbage.h"
#include "support/files.h"

namespace postamt::blob {

// One implementation under test: `make` returns a fresh, empty store keeping whatever
// it needs (files, a database) under `dir`, or nullptr after reporting a failure.
struct BlobStoreMaker {
  std::string name;
  std::function<std::unique_ptr<BlobStore>(const std::filesystem::path& dir)> make;
};

inline void PrintTo(const BlobStoreMaker& maker, std::ostream* out) {
  *out << maker.name;
}

inline std::string maker_name(const ::testing::TestParamInfo<BlobStoreMaker>& info) {
  return info.param.name;
}

namespace contract {

using namespace std::chrono_literals;

class BlobContract : public ::testing::TestWithParam<BlobStoreMaker> {
 protected:
  void SetUp() override {
    store_ = GetParam().make(dir_.root());
    ASSERT_NE(store_, nullptr);
  }
  postamt::testing::TempDir dir_;
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

// Garbage collection's removal decides by the blob's time at the moment of removal.
TEST_P(BlobContract, RemoveIfOlderKeepsRecentBlobs) {
  auto ref = *store_->put("maybe garbage");
  auto kept = store_->remove_if_older(ref, std::chrono::system_clock::now() - 1h);
  ASSERT_TRUE(kept) << kept.error().message;
  EXPECT_FALSE(*kept);
  EXPECT_EQ(*store_->exists(ref), true);
  auto removed = store_->remove_if_older(ref, std::chrono::system_clock::now() + 1h);
  ASSERT_TRUE(removed) << removed.error().message;
  EXPECT_TRUE(*removed);
  EXPECT_EQ(*store_->exists(ref), false);
  auto again = store_->remove_if_older(ref, std::chrono::system_clock::now() + 1h);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::not_found);
  EXPECT_EQ(again.error().message, "blob " + ref.hex() + " does not exist");
}

}  // namespace contract
}  // namespace postamt::blob
