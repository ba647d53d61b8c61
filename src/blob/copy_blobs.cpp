#include "blob/copy_blobs.h"

#include <algorithm>

namespace postamt::blob {

namespace {

Result<void> copy_one(BlobStore& source, BlobStore& target, const BlobRef& ref) {
  auto view = source.open(ref);
  if (!view) {
    if (view.error().kind == ErrorKind::not_found) {
      return Error{ErrorKind::not_found,
                   "message file " + ref.hex() + " is missing from the source"};
    }
    return view.error();
  }
  auto writer = target.begin_put();
  if (!writer) return writer.error();
  std::string_view bytes = view->bytes();
  for (size_t at = 0; at < bytes.size(); at += kBlobCopyPiece) {
    POSTAMT_TRY((*writer)->append(bytes.substr(at, kBlobCopyPiece)));
  }
  auto written = (*writer)->finish();
  if (!written) return written.error();
  if (*written != ref) {
    // The target now holds these bytes under their own name, unreferenced: garbage
    // collection removes them.
    return Error{ErrorKind::io, "message file " + ref.hex() +
                                    " is damaged in the source: its content has SHA-256 " +
                                    written->hex()};
  }
  return {};
}

}  // namespace

Result<BlobCopy> copy_blobs(BlobStore& source, BlobStore& target,
                            const std::vector<BlobRef>& refs) {
  BlobCopy out;
  for (const BlobRef& ref : refs) {
    auto there = target.exists(ref);
    if (!there) return there.error();
    if (*there) {
      ++out.present;
      continue;
    }
    POSTAMT_TRY(copy_one(source, target, ref));
    ++out.copied;
  }
  return out;
}

Result<std::vector<BlobRef>> missing_blobs(BlobStore& store, const std::vector<BlobRef>& refs) {
  std::vector<BlobRef> out;
  for (const BlobRef& ref : refs) {
    auto there = store.exists(ref);
    if (!there) return there.error();
    if (!*there) out.push_back(ref);
  }
  return out;
}

}  // namespace postamt::blob
