#include <fmt/format.h>

#include "smtp/server/commands/commands.h"

namespace postamt::smtp::server::commands {
namespace {

// BDAT chunks are read in pieces of this size.
constexpr size_t kBdatPiece = 64 * 1024;
// After refusing a chunk unread: how long and how much of what is already on its way is
// read and dropped before closing (closing with unread input makes the kernel send a
// reset, which can destroy the refusal before the client reads it).
constexpr auto kDrainTime = std::chrono::seconds(2);
constexpr uint64_t kDrainOctets = 8 * 1024 * 1024;

net::awaitable<void> drain(Session& session) {
  const auto deadline = net::deadline_after(kDrainTime);
  uint64_t drained = 0;
  while (drained < kDrainOctets) {
    const auto time_left = deadline - std::chrono::steady_clock::now();
    if (time_left <= net::Duration::zero()) break;
    auto read = session.reader_.read_at_most(kBdatPiece, time_left);
    auto piece = co_await std::move(read);
    if (!piece || piece->empty()) break;
    drained += piece->size();
  }
}

}  // namespace

net::awaitable<Next> bdat(Session& session, proto::Bdat command) {
  namespace code = proto::code;
  using proto::make_reply;
  const Limits& limits = session.options_.limits;
  // RFC 3030 §2: the chunk is read even when the command is refused, so the state rules
  // are checked here, after reading, not by the dispatcher.
  Reply refusal;
  if (!session.transaction_) {
    refusal = make_reply(503, code::kBadCommand, "Need MAIL command");
  } else if (session.transaction_->recipients.empty()) {
    refusal = make_reply(554, code::kBadCommand, "No valid recipients");
  }
  // A chunk that alone exceeds the limit is not worth reading (it could take until the
  // data timeout): refused at once, and the connection closed, since the octets that
  // follow cannot be told apart from commands.
  if (command.size > limits.max_message_size) {
    session.reset_transaction();
    auto refused = session.send(
        make_reply(552, code::kMessageTooBig, "Message size exceeds fixed maximum size, closing"));
    co_await std::move(refused);
    auto drained = drain(session);
    co_await std::move(drained);
    co_return Next::close;
  }
  // Compared by subtraction: "received + size" can wrap around for a huge chunk size.
  const bool keep =
      refusal.code == 0 && session.transaction_->bdat_body.size() <= limits.max_message_size &&
      command.size <= limits.max_message_size - session.transaction_->bdat_body.size();
  if (refusal.code == 0 && !keep)
    refusal = make_reply(552, code::kMessageTooBig, "Message size exceeds fixed maximum size");
  const auto deadline = net::deadline_after(limits.data_timeout);
  uint64_t left = command.size;
  while (left > 0) {
    const auto time_left = deadline - std::chrono::steady_clock::now();
    if (time_left <= net::Duration::zero()) {
      session.reset_transaction();
      auto failed = session.read_error(Error(ErrorKind::timeout, ""));
      co_return co_await std::move(failed);
    }
    auto read = session.reader_.read_at_most(
        static_cast<size_t>(std::min<uint64_t>(left, kBdatPiece)), time_left);
    auto piece = co_await std::move(read);
    if (!piece) {
      session.reset_transaction();
      auto failed = session.read_error(piece.error());
      co_return co_await std::move(failed);
    }
    left -= piece->size();
    if (keep) session.transaction_->bdat_body += *piece;
  }
  if (refusal.code != 0) {
    session.reset_transaction();
    auto answered = session.answer(std::move(refusal));
    co_return co_await std::move(answered);
  }
  session.transaction_->bdat_started = true;
  if (command.last == proto::BdatLast::no) {
    auto answered =
        session.answer(make_reply(250, code::kOk, fmt::format("{} octets received", command.size)));
    co_return co_await std::move(answered);
  }
  std::string message = std::move(session.transaction_->bdat_body);
  BodyScan scan = scan_body(message, limits.max_text_line);
  if (scan.bare_line_ends != 0 && limits.bare_newline == proto::BareLineEnds::normalize) {
    message = normalize_line_ends(message);
    scan = scan_body(message, limits.max_text_line);
  }
  std::optional<Reply> rejection;
  if (message.size() > limits.max_message_size) {
    // Normalising added octets (the chunks themselves were within the limit).
    rejection = make_reply(552, code::kMessageTooBig, "Message size exceeds fixed maximum size");
  } else if (scan.line_too_long) {
    rejection = make_reply(554, code::kMediaError, "Message has a line longer than 1000 octets");
  } else if (scan.nul != 0) {
    rejection = make_reply(550, code::kMediaError, "Message contains NUL octets");
  } else if (scan.bare_line_ends != 0) {
    // RFC 5321 §2.3.8: CR and LF only as CRLF, also in chunks.
    rejection = make_reply(550, code::kMediaError, "Message contains bare CR or LF");
  }
  auto ended = end_of_message(session, std::move(rejection), std::move(message));
  co_return co_await std::move(ended);
}

}  // namespace postamt::smtp::server::commands
