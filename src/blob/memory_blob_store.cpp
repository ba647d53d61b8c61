#include "blob/memory_blob_store.h"

namespace postamt::blob {

namespace {
Error missing(const BlobRef& ref) {
  return Error{ErrorKind::not_found, "blob " + ref.hex() + " does not exist"};
}
}  // namespace

namespace {

class MemoryBlobWriter final : public BlobWriter {
 public:
  explicit MemoryBlobWriter(MemoryBlobStore& store) : store_(store) {}
  Result<void> append(std::string_view bytes) override {
    if (done_) return Error{ErrorKind::invalid, "the blob was finished already"};
    bytes_.append(bytes);
    return {};
  }
  uint64_t size() const override { return bytes_.size(); }
  Result<BlobRef> finish() override {
    if (done_) return Error{ErrorKind::invalid, "the blob was finished already"};
    done_ = true;
    return store_.put(bytes_);
  }

 private:
  MemoryBlobStore& store_;
  std::string bytes_;
  bool done_ = false;
};

}  // namespace

Result<std::unique_ptr<BlobWriter>> MemoryBlobStore::begin_put() {
  return std::unique_ptr<BlobWriter>(std::make_unique<MemoryBlobWriter>(*this));
}

Result<BlobRef> MemoryBlobStore::put(std::string_view bytes) {
  BlobRef ref = blob_ref_of(bytes);
  auto now = clock_();
  std::lock_guard lock(mutex_);
  auto [it, inserted] = blobs_.try_emplace(ref);
  if (inserted) it->second.bytes = std::make_shared<const std::string>(bytes);
  it->second.modified = now;
  return ref;
}

Result<std::string> MemoryBlobStore::get(const BlobRef& ref) {
  std::lock_guard lock(mutex_);
  auto it = blobs_.find(ref);
  if (it == blobs_.end()) return missing(ref);
  return *it->second.bytes;
}

Result<BlobView> MemoryBlobStore::open(const BlobRef& ref) {
  std::lock_guard lock(mutex_);
  auto it = blobs_.find(ref);
  if (it == blobs_.end()) return missing(ref);
  std::shared_ptr<const std::string> bytes = it->second.bytes;
  std::string_view view = *bytes;
  return BlobView(std::move(bytes), view);
}

Result<bool> MemoryBlobStore::exists(const BlobRef& ref) {
  std::lock_guard lock(mutex_);
  return blobs_.count(ref) > 0;
}

Result<BlobInfo> MemoryBlobStore::info(const BlobRef& ref) {
  std::lock_guard lock(mutex_);
  auto it = blobs_.find(ref);
  if (it == blobs_.end()) return missing(ref);
  return BlobInfo{ref, it->second.bytes->size(), it->second.modified};
}

Result<void> MemoryBlobStore::remove(const BlobRef& ref) {
  std::lock_guard lock(mutex_);
  if (blobs_.erase(ref) == 0) return missing(ref);
  return {};
}

Result<bool> MemoryBlobStore::remove_if_older(const BlobRef& ref,
                                              std::chrono::system_clock::time_point older_than) {
  std::lock_guard lock(mutex_);
  auto it = blobs_.find(ref);
  if (it == blobs_.end()) return missing(ref);
  if (it->second.modified >= older_than) return false;
  blobs_.erase(it);
  return true;
}

Result<std::vector<BlobInfo>> MemoryBlobStore::list() {
  std::lock_guard lock(mutex_);
  std::vector<BlobInfo> out;
  for (const auto& [ref, entry] : blobs_) {
    out.push_back(BlobInfo{ref, entry.bytes->size(), entry.modified});
  }
  return out;
}

}  // namespace postamt::blob
