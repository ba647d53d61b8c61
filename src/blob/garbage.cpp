#include "blob/garbage.h"

namespace postamt::blob {

// The default for stores that cannot decide and remove in one step (BlobStore).
Result<bool> BlobStore::remove_if_older(const BlobRef& ref,
                                        std::chrono::system_clock::time_point older_than) {
  auto now = info(ref);
  if (!now) return now.error();
  if (now->modified >= older_than) return false;
  POSTAMT_TRY(remove(ref));
  return true;
}

Result<GarbageReport> collect_garbage(BlobStore& blobs,
                                      std::chrono::system_clock::time_point older_than,
                                      const ReferencedBlobs& referenced) {
  GarbageReport report;
  auto listed = blobs.list();
  if (!listed) return listed.error();
  auto in_use = referenced();
  if (!in_use) return in_use.error();
  for (const BlobInfo& info : *listed) {
    if (info.modified >= older_than || in_use->count(info.ref)) continue;
    // A put() since the listing refreshed the time: the store decides again, at the
    // moment of removal (BlobStore::remove_if_older).
    auto removed = blobs.remove_if_older(info.ref, older_than);
    if (!removed) {
      if (removed.error().kind == ErrorKind::not_found) continue;
      return removed.error();
    }
    if (!*removed) continue;
    ++report.blobs_removed;
    report.bytes_removed += info.size;
  }
  auto temporaries = blobs.remove_stale_temporaries(older_than);
  if (!temporaries) return temporaries.error();
  report.temporaries_removed = *temporaries;
  return report;
}

}  // namespace postamt::blob
