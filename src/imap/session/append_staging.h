// An APPEND message larger than [imap] max_inline_literal, on its way into the blob
// store while its octets arrive, so that no session holds a whole message in memory.
//
// Contract: begin() opens a blob writer on the blocking pool; add() converts each piece
// to CRLF line ends (mime::CrlfConverter: every way in stores CRLF) and writes a batch
// of kBatch octets whenever that much is pending; finish() writes the rest, fsyncs and
// places the blob, and returns its reference. The first failure (no space, an I/O
// error) is kept: later pieces are dropped, the octets are still read, and finish()
// returns that error. Destroying a staging that was not finished removes its
// temporary file. held() is what it keeps in memory (at most kBatch plus one piece).
//
// Threads: used by one session on its executor; blob work runs through
// Runtime::run_blocking. The Runtime and BlobStore must outlive the staging.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "base/error.h"
#include "base/result.h"
#include "blob/blob_store.h"
#include "mime/line_endings.h"
#include "model/blob_ref.h"
#include "net/runtime.h"

namespace postamt::imap {

class AppendStaging {
 public:
  static constexpr size_t kBatch = 256 * 1024;

  static net::awaitable<std::unique_ptr<AppendStaging>> begin(net::Runtime& runtime,
                                                              blob::BlobStore& blobs);
  net::awaitable<void> add(std::string piece);
  net::awaitable<Result<BlobRef>> finish();
  size_t held() const { return pending_.size(); }

 private:
  explicit AppendStaging(net::Runtime& runtime) : runtime_(runtime) {}
  net::awaitable<void> write_pending();

  net::Runtime& runtime_;
  std::unique_ptr<blob::BlobWriter> writer_;
  mime::CrlfConverter crlf_;
  std::string pending_;
  std::optional<Error> error_;
};

}  // namespace postamt::imap
