#include "imap/session/append_staging.h"

#include <utility>

// Every co_await takes a named awaitable (g++ 12, docs/architecture.md).

namespace postamt::imap {

net::awaitable<std::unique_ptr<AppendStaging>> AppendStaging::begin(net::Runtime& runtime,
                                                                    blob::BlobStore& blobs) {
  blob::BlobStore* store = &blobs;
  auto begun = runtime.run_blocking([store] { return store->begin_put(); });
  auto writer = co_await std::move(begun);
  std::unique_ptr<AppendStaging> staging(new AppendStaging(runtime));
  if (writer)
    staging->writer_ = std::move(*writer);
  else
    staging->error_ = writer.error();  // the octets are still read, then dropped
  co_return staging;
}

net::awaitable<void> AppendStaging::add(std::string piece) {
  if (error_) co_return;
  crlf_.feed(piece, pending_);
  if (pending_.size() < kBatch) co_return;
  auto written = write_pending();
  co_await std::move(written);
}

net::awaitable<void> AppendStaging::write_pending() {
  if (error_ || pending_.empty()) co_return;
  blob::BlobWriter* writer = writer_.get();
  std::string batch = std::move(pending_);
  pending_.clear();
  auto written =
      runtime_.run_blocking([writer, batch = std::move(batch)] { return writer->append(batch); });
  auto done = co_await std::move(written);
  if (!done) error_ = done.error();
}

net::awaitable<Result<BlobRef>> AppendStaging::finish() {
  auto written = write_pending();
  co_await std::move(written);
  if (error_) co_return *error_;
  blob::BlobWriter* writer = writer_.get();
  auto finished = runtime_.run_blocking([writer] { return writer->finish(); });
  co_return co_await std::move(finished);
}

}  // namespace postamt::imap
