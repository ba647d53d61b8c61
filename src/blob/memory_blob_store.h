// MemoryBlobStore: a BlobStore in a map, for unit tests of upper layers. Same
// contract as DiskBlobStore except durability. Thread-safe (one mutex).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "blob/blob_store.h"

namespace postamt::blob {

class MemoryBlobStore final : public BlobStore {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  // `clock` stamps BlobInfo::modified; tests inject one to exercise the GC grace period.
  explicit MemoryBlobStore(Clock clock = [] { return std::chrono::system_clock::now(); })
      : clock_(std::move(clock)) {}

  Result<std::unique_ptr<BlobWriter>> begin_put() override;
  Result<BlobRef> put(std::string_view bytes) override;
  Result<std::string> get(const BlobRef& ref) override;
  Result<BlobView> open(const BlobRef& ref) override;
  Result<bool> exists(const BlobRef& ref) override;
  Result<BlobInfo> info(const BlobRef& ref) override;
  Result<void> remove(const BlobRef& ref) override;
  Result<bool> remove_if_older(const BlobRef& ref,
                               std::chrono::system_clock::time_point older_than) override;
  Result<std::vector<BlobInfo>> list() override;
  Result<size_t> remove_stale_temporaries(std::chrono::system_clock::time_point) override {
    return size_t{0};
  }

 private:
  struct Entry {
    std::shared_ptr<const std::string> bytes;
    std::chrono::system_clock::time_point modified;
  };
  Clock clock_;
  std::mutex mutex_;
  std::map<BlobRef, Entry> blobs_;
};

}  // namespace postamt::blob
