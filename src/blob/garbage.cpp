#include "blob/garbage.h"

namespace postamt::blob {

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
    // A put() since the listing refreshed the time; re-read it before deciding.
    auto again = blobs.info(info.ref);
    if (!again) {
      if (again.error().kind == ErrorKind::not_found) continue;
      return again.error();
    }
    if (again->modified >= older_than) continue;
    auto removed = blobs.remove(info.ref);
    if (!removed) {
      if (removed.error().kind == ErrorKind::not_found) continue;
      return removed.error();
    }
    ++report.blobs_removed;
    report.bytes_removed += info.size;
  }
  auto temporaries = blobs.remove_stale_temporaries(older_than);
  if (!temporaries) return temporaries.error();
  report.temporaries_removed = *temporaries;
  return report;
}

}  // namespace postamt::blob
