#include <fmt/format.h>

#include "base/log.h"
#include "pop3/proto/message.h"
#include "pop3/proto/response.h"
#include "pop3/session/commands/commands.h"

namespace postamt::pop3::commands {

namespace {

// A RETR in progress: the blob's bytes and where the wire encoding stands. The
// encoder points into the view's bytes, which stay put when the view is moved.
struct RetrStream {
  blob::BlobView view;
  std::optional<proto::RetrEncoder> encoder;
};

// On a store thread: opens the blob and puts the status line and the first piece
// into `out` (cleared first). Errors: the blob store's (not_found when the message's
// bytes are gone).
Result<void> start_retr(blob::BlobStore* blobs, BlobRef ref, size_t piece_octets,
                        RetrStream* stream, std::string* out) {
  auto view = blobs->open(ref);
  if (!view) return view.error();
  stream->view = std::move(*view);
  std::string_view bytes = stream->view.bytes();
  out->clear();
  *out = proto::ok(fmt::format("{} octets", proto::message_octets(bytes)));
  // The wire form is at most the stored size plus CRLFs for bare LFs and stuffed dots;
  // 1/16 covers typical mail without a reallocation, the piece size bounds it.
  out->reserve(out->size() + std::min(piece_octets, bytes.size() + bytes.size() / 16 + 8));
  stream->encoder.emplace(bytes);
  stream->encoder->append_next(*out, piece_octets);
  return {};
}

}  // namespace

net::awaitable<Next> retr(Session& session, proto::Retr command) {
  auto found = session.maildrop_->find(command.msg);
  if (!found) {
    std::string e = proto::err(found.error().message);
    co_return co_await session.reply(std::move(e));
  }
  const MaildropMessage message = **found;
  blob::BlobStore* blobs = session.s_.blobs;
  const size_t piece_octets = session.s_.limits.retr_piece_octets;
  RetrStream stream;
  std::string piece;
  RetrStream* stream_ptr = &stream;
  std::string* piece_ptr = &piece;
  // Both pointers outlive the work: this coroutine awaits it before going on.
  auto started_work = [blobs, ref = message.blob, piece_octets, stream_ptr, piece_ptr]() {
    return start_retr(blobs, ref, piece_octets, stream_ptr, piece_ptr);
  };
  auto started_task = session.s_.runtime->run_blocking(std::move(started_work));
  auto started = co_await std::move(started_task);
  if (!started) {
    log::warning(session.ctx_.service, "user=<{}>: RETR {} (uid {}): {}", session.account_->address,
                 command.msg, message.uid, started.error().message);
    std::string e = proto::err(
        fmt::format("message {} is no longer available, another client removed it", command.msg));
    co_return co_await session.reply(std::move(e));
  }
  for (;;) {
    auto written = co_await session.conn_.write(piece, session.s_.limits.write_timeout);
    if (!written) {
      log::info(session.ctx_.service, "write to {} failed: {}", session.remote_ip(),
                written.error().message);
      co_return Next::close;
    }
    if (stream.encoder->done()) break;
    // Later pieces only exist for messages over a piece; a large blob may be mapped,
    // so touching its pages can wait on the disk: encode on a store thread.
    auto encoded_work = [piece_octets, stream_ptr, piece_ptr]() {
      piece_ptr->clear();
      stream_ptr->encoder->append_next(*piece_ptr, piece_octets);
    };
    co_await session.s_.runtime->run_blocking(std::move(encoded_work));
  }
  ++session.retrieved_;
  // \Seen is set for all retrieved messages in one store write when the session ends:
  // a write transaction (with fsync) per RETR cost more than the download itself.
  session.maildrop_->mark_retrieved(command.msg);
  if (session.s_.downloads) {
    mail::DownloadEvent event;
    event.account = session.account_->id;
    event.account_address = session.account_->address;
    event.mailbox = session.maildrop_->mailbox();
    event.uid = message.uid;
    event.blob = message.blob;
    event.kind = mail::DownloadKind::full_message;
    session.s_.downloads->on_download(event);
  }
  co_return Next::keep_going;
}

}  // namespace postamt::pop3::commands
