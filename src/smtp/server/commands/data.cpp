#include "base/log.h"
#include "smtp/proto/data_decoder.h"
#include "smtp/server/commands/commands.h"

namespace postamt::smtp::server::commands {
namespace {

// A DATA line longer than this is not buffered to find its end: the message is refused
// and the connection closed, because the line's terminator cannot be judged any more.
constexpr size_t kMaxBufferedDataLine = 64 * 1024;

}  // namespace

net::awaitable<Next> data(Session& session, proto::Data) {
  namespace code = proto::code;
  using proto::make_reply;
  Reply refusal;
  if (session.transaction_->bdat_started)
    refusal = make_reply(503, code::kBadCommand, "DATA after BDAT");
  else if (session.transaction_->recipients.empty())
    refusal = make_reply(554, code::kBadCommand, "No valid recipients");
  if (refusal.code != 0) {
    auto answered = session.answer(std::move(refusal));
    co_return co_await std::move(answered);
  }

  Reply go;
  go.code = 354;
  go.lines.push_back("End data with <CR><LF>.<CR><LF>");
  auto sent = session.send(std::move(go));
  if (!co_await std::move(sent)) co_return Next::close;

  const Limits& limits = session.options_.limits;
  proto::DataDecoderOptions decoder_options;
  decoder_options.max_message_octets = limits.max_message_size;
  decoder_options.max_line_octets = limits.max_text_line;
  decoder_options.bare_line_ends = limits.bare_newline;
  proto::DataDecoder decoder(decoder_options);
  std::string message;
  const auto deadline = net::deadline_after(limits.data_timeout);
  // Whole lines only, so the decoder sees the terminator exactly where the line
  // reader ends it and no byte of a pipelined next command is consumed here.
  while (!decoder.done()) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= net::Duration::zero()) {
      auto failed = session.read_error(Error(ErrorKind::timeout, ""));
      co_return co_await std::move(failed);
    }
    auto read = session.reader_.read_line(kMaxBufferedDataLine, left);
    auto line = co_await std::move(read);
    if (!line) {
      if (line.error().kind != ErrorKind::limit) {
        session.reset_transaction();
        auto failed = session.read_error(line.error());
        co_return co_await std::move(failed);
      }
      log::message(log::Level::info, "smtpd", session.transaction_->queue_id,
                   "data line over {} octets, closing", kMaxBufferedDataLine);
      session.reset_transaction();
      auto bye =
          session.send(make_reply(554, code::kMediaError, "Line too long, closing connection"));
      co_await std::move(bye);
      co_return Next::close;
    }
    line->text += line->ending == net::LineEnding::crlf ? "\r\n" : "\n";
    decoder.feed(line->text, message);
  }
  auto rejection = proto::data_rejection(decoder);
  if (rejection)
    log::message(log::Level::info, "smtpd", session.transaction_->queue_id, "reject: {} {}",
                 rejection->code,
                 rejection->lines.empty() ? std::string() : rejection->lines.front());
  auto ended = end_of_message(session, std::move(rejection), std::move(message));
  co_return co_await std::move(ended);
}

}  // namespace postamt::smtp::server::commands
