// BlobStore: immutable message bytes, named by the SHA-256 of their content
// (BlobRef). Identical content is stored once. Messages in the store (src/store)
// refer to blobs by BlobRef; the blob store itself knows nothing about messages.
//
// Thread-safety: every implementation is safe to call from several threads at once,
// and the disk store from several processes on the same directory. All calls block
// (disk I/O): run them on store threads, never on the network executor.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "blob/blob_view.h"
#include "model/blob_ref.h"

namespace postamt::blob {

struct BlobInfo {
  BlobRef ref;
  uint64_t size = 0;
  // Last put() of this content; the grace period of collect_garbage counts from here.
  std::chrono::system_clock::time_point modified;
};

// A blob written in pieces, for content too large to hold in memory at once (an IMAP
// APPEND literal): the pieces go to a temporary file as they come; finish() names the
// content by its SHA-256 and makes it durable exactly as put() does. A writer destroyed
// before finish() removes what it wrote. One writer is used by one thread at a time.
class BlobWriter {
 public:
  virtual ~BlobWriter() = default;
  // Appends `bytes`. ErrorKind::io when the write fails; the writer is then spent and
  // every later call fails the same way.
  virtual Result<void> append(std::string_view bytes) = 0;
  // Octets appended so far.
  virtual uint64_t size() const = 0;
  // Durable under its ref when this returns a value (an existing blob with the same
  // content is kept and its time refreshed). Call at most once.
  virtual Result<BlobRef> finish() = 0;
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // Starts a blob written in pieces (see BlobWriter). ErrorKind::io when no temporary
  // file can be made.
  virtual Result<std::unique_ptr<BlobWriter>> begin_put() = 0;

  // Stores `bytes` and returns its ref. When this returns a value, the bytes are
  // durable (disk: file fsynced, renamed into place, directory fsynced). If the
  // content exists already, it is not written again, but its modification time is
  // refreshed (so garbage collection leaves it alone for the grace period) and its
  // directory is synced. Errors: ErrorKind::io for any failed write, fsync or rename;
  // nothing half-written is ever visible under a ref.
  virtual Result<BlobRef> put(std::string_view bytes) = 0;

  // The bytes of a blob, copied. ErrorKind::not_found if absent.
  virtual Result<std::string> get(const BlobRef& ref) = 0;
  // The bytes (disk: read into memory, or mapped when large; see file_system.h).
  // ErrorKind::not_found if absent.
  virtual Result<BlobView> open(const BlobRef& ref) = 0;
  virtual Result<bool> exists(const BlobRef& ref) = 0;
  // Size and modification time of one blob. ErrorKind::not_found if absent.
  virtual Result<BlobInfo> info(const BlobRef& ref) = 0;
  // ErrorKind::not_found if absent. Callers normally go through collect_garbage.
  virtual Result<void> remove(const BlobRef& ref) = 0;
  // Removes the blob only if its last put() was before `older_than`, for collect_garbage:
  // true when removed, false when kept because a put() refreshed it since the caller
  // looked. ErrorKind::not_found if absent. This default asks info() and then calls
  // remove(), so a put() in the instant between the two is lost; a store that can decide
  // and remove in one step (the SQL and memory stores) overrides it and leaves no window.
  virtual Result<bool> remove_if_older(const BlobRef& ref,
                                       std::chrono::system_clock::time_point older_than);
  // Every stored blob, in no particular order. Temporary files are never listed.
  virtual Result<std::vector<BlobInfo>> list() = 0;
  // Deletes leftovers of put() calls interrupted by a crash that are older than
  // `older_than`; returns how many were removed. The memory store has none.
  virtual Result<size_t> remove_stale_temporaries(
      std::chrono::system_clock::time_point older_than) = 0;
};

// Lowercase hex SHA-256 (OpenSSL EVP) of `bytes`, as a BlobRef.
BlobRef blob_ref_of(std::string_view bytes);

}  // namespace postamt::blob
