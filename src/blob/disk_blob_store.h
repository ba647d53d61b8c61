// DiskBlobStore: blobs as files under one directory:
//   <root>/ab/cd/abcd...(64 hex)   the blob whose SHA-256 starts with "abcd"
//   <root>/tmp/                    put() in progress; never listed as blobs
// put() writes tmp file -> fsync(file) -> rename into place -> fsync(directory) before
// returning (docs/architecture.md, Durability). Fan-out directories created by this process, or
// first used by it, also get their parent synced once, so that a directory left unsynced by a
// crashed process cannot lose a later blob.
//
// remove() takes the blob removal lock (blob/removal_lock.h) for its one unlink, and
// fails with ErrorKind::temporary while a backup holds it.
//
// Thread-safe; several processes may share one root (rename makes each blob appear
// whole, and identical content has identical bytes).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>

#include "blob/blob_store.h"
#include "blob/file_system.h"

namespace postamt::blob {

class DiskBlobStore final : public BlobStore {
 public:
  // Creates <root> and <root>/tmp when missing. `fs` must outlive the store.
  // ErrorKind::io (or not_found for a missing parent of root) on failure.
  static Result<std::unique_ptr<DiskBlobStore>> open(const std::string& root,
                                                     FileSystem& fs = posix_file_system());

  Result<std::unique_ptr<BlobWriter>> begin_put() override;
  Result<BlobRef> put(std::string_view bytes) override;
  Result<std::string> get(const BlobRef& ref) override;
  Result<BlobView> open(const BlobRef& ref) override;
  Result<bool> exists(const BlobRef& ref) override;
  Result<BlobInfo> info(const BlobRef& ref) override;
  Result<void> remove(const BlobRef& ref) override;
  Result<std::vector<BlobInfo>> list() override;
  Result<size_t> remove_stale_temporaries(
      std::chrono::system_clock::time_point older_than) override;

  // The path a blob lives at (for diagnostics and tests).
  std::string path_of(const BlobRef& ref) const;

 private:
  DiskBlobStore(std::string root, FileSystem& fs) : root_(std::move(root)), fs_(fs) {}
  friend class DiskBlobWriter;
  Result<void> ensure_directory(const std::string& path, const std::string& parent);
  std::string temporary_path();
  // Gives the complete, fsynced temporary file `tmp` the name of `ref` (or drops it when
  // that content is there already), then syncs the directory. Removes `tmp` on failure.
  Result<BlobRef> place(const std::string& tmp, const BlobRef& ref);
  // Makes the fan-out directories of `ref` and returns its final path.
  Result<std::string> prepare(const BlobRef& ref);

  std::string root_;
  FileSystem& fs_;
  std::mutex mutex_;  // guards synced_directories_ and counter_
  std::unordered_set<std::string> synced_directories_;
  uint64_t counter_ = 0;
};

}  // namespace postamt::blob
