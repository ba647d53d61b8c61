#include <fmt/format.h>

#include "pop3/proto/message.h"
#include "pop3/proto/response.h"
#include "pop3/session/commands/commands.h"

namespace postamt::pop3::commands {

namespace {

// The whole TOP response, built on a store thread because it reads and scans the
// message. A blob that is gone (the message was expunged by IMAP and
// garbage-collected) is not_found.
Result<std::string> build_top_response(blob::BlobStore* blobs, BlobRef ref, uint64_t body_lines) {
  auto view = blobs->open(ref);
  if (!view) return view.error();
  return proto::multiline_payload("top of message follows",
                                  proto::top_payload(view->bytes(), body_lines));
}

}  // namespace

net::awaitable<Next> top(Session& session, proto::Top command) {
  auto found = session.maildrop_->find(command.msg);
  if (!found) {
    std::string e = proto::err(found.error().message);
    co_return co_await session.reply(std::move(e));
  }
  blob::BlobStore* blobs = session.s_.blobs;
  BlobRef ref = (*found)->blob;
  uint64_t lines = command.lines;
  auto response_work = [blobs, ref, lines]() { return build_top_response(blobs, ref, lines); };
  auto response_task = session.s_.runtime->run_blocking(std::move(response_work));
  auto response = co_await std::move(response_task);
  if (!response) {
    std::string e = proto::err(
        fmt::format("message {} is no longer available, another client removed it", command.msg));
    co_return co_await session.reply(std::move(e));
  }
  co_return co_await session.reply(std::move(*response));
}

}  // namespace postamt::pop3::commands
