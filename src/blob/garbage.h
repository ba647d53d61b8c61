// Garbage collection of blobs no message refers to any more.
//
// Who calls it: the server's maintenance task (src/app, periodically) and the admin
// CLI (`postamt gc`). The store never deletes blobs itself: removing an account,
// mailbox or message only drops references, because the same blob may be shared by
// messages in several mailboxes and accounts (deliver-to-many, COPY).
//
// Order matters and is done here: the blob list is taken FIRST, then `referenced` is
// asked (Store::referenced_blobs()), so a message committed in between keeps its blob.
// A blob put() but not yet committed by a delivery in flight is protected by the
// grace period: only blobs whose last put() is before `older_than` are removed
// (put() of existing content refreshes that time). Choose a grace period far longer
// than any delivery (an hour is plenty). The grace check is repeated by
// BlobStore::remove_if_older at the moment of each removal. Known window on disk: a put()
// that re-uses an old, unreferenced blob in the instant between that check and the unlink
// loses the blob (one system call). The SQL store (store/sql/sql_blob_store.h) and the
// memory store decide and remove in one step and leave no such window.
//
// Blocking; safe to run while other threads and processes use the store.
#pragma once

#include <chrono>
#include <functional>
#include <unordered_set>

#include "base/result.h"
#include "blob/blob_store.h"

namespace postamt::blob {

struct GarbageReport {
  size_t blobs_removed = 0;
  uint64_t bytes_removed = 0;
  size_t temporaries_removed = 0;
};

using ReferencedBlobs = std::function<Result<std::unordered_set<BlobRef>>()>;

// Removes every blob modified before `older_than` that `referenced()` does not
// contain, and stale temporaries older than `older_than`. Stops at the first error
// and returns it (blobs removed before that stay removed, which is harmless).
Result<GarbageReport> collect_garbage(BlobStore& blobs,
                                      std::chrono::system_clock::time_point older_than,
                                      const ReferencedBlobs& referenced);

}  // namespace postamt::blob
