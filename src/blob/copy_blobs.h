// Copying message bytes from one blob store into another, of any two kinds (`postamt
// store copy`: the files of a single-node install into the PostgreSQL blob store, or
// the other way). Blocking; any thread.
#pragma once

#include <cstddef>
#include <vector>

#include "base/result.h"
#include "blob/blob_store.h"

namespace postamt::blob {

// The piece size copy_blobs hands the target's writer: a large blob never has to be held
// whole in memory by the copy (the source's open() may map it).
inline constexpr size_t kBlobCopyPiece = 1 << 20;

struct BlobCopy {
  size_t copied = 0;   // written into the target
  size_t present = 0;  // the target had them already (an earlier, interrupted copy)
};

// For each of `refs`: left alone when `target` has it; otherwise read from `source` and
// written into `target` in pieces of kBlobCopyPiece octets (BlobStore::begin_put), durable
// before the next one starts, and the name the target gives the bytes must be `ref`.
// Stops at the first failure; the blobs copied before it stay (they are unreferenced in
// the target until its rows arrive, and a second run skips them).
// Errors: not_found "message file <ref> is missing from the source"; io "message file
// <ref> is damaged in the source: its content has SHA-256 <other>"; either store's own.
Result<BlobCopy> copy_blobs(BlobStore& source, BlobStore& target, const std::vector<BlobRef>& refs);

// Which of `refs` `store` lacks, in the order given. Errors: the store's.
Result<std::vector<BlobRef>> missing_blobs(BlobStore& store, const std::vector<BlobRef>& refs);

}  // namespace postamt::blob
