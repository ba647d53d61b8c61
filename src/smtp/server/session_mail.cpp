// MAIL, RCPT, DATA, BDAT and the delivery of an accepted message.
#include <fmt/format.h>

#include "base/log.h"
#include "base/strings.h"
#include "model/address.h"
#include "smtp/proto/data_decoder.h"
#include "smtp/server/session_impl.h"
#include "smtp/server/trace.h"

namespace postamt::smtp::server::detail {

namespace {
constexpr std::string_view kLog = "smtpd";
// A DATA line longer than this is not buffered to find its end: the message is refused
// and the connection closed, because the line's terminator cannot be judged any more.
constexpr size_t kMaxBufferedDataLine = 64 * 1024;
// BDAT chunks are read in pieces of this size.
constexpr size_t kBdatPiece = 64 * 1024;
}  // namespace

using proto::make_reply;
namespace code = proto::code;

Reply recipient_error_reply(const Error& error, std::string_view address) {
  switch (error.kind) {
    case ErrorKind::not_found:
      return make_reply(550, code::kMailboxUnknown,
                        fmt::format("<{}>: Recipient address rejected: User unknown", address));
    case ErrorKind::limit:
      return make_reply(452, code::kTempTooManyRecipients, "Too many recipients");
    case ErrorKind::invalid:
      return make_reply(
          553, code::kBadRecipientSyntax,
          fmt::format("<{}>: Recipient address rejected: {}", address, error.message));
    default:
      return make_reply(451, code::kTempSystem, "Temporary lookup failure, please try again later");
  }
}

std::string Session::new_queue_id() const {
  return options_.queue_id ? options_.queue_id() : random_queue_id();
}

net::awaitable<Result<bool>> Session::owns_address(std::string address) {
  const auto user_key = address_key(*user_);
  const auto key = address_key(address);
  if (user_key && key && *user_key == *key) co_return true;
  store::Store* store = services_.store;
  const std::string user = *user_key;
  // An alias that reaches the user's account is the user's address too.
  auto lookup = services_.runtime->run_blocking([store, address, user]() -> Result<bool> {
    auto resolved = store->resolve(address);
    if (!resolved) {
      if (resolved.error().kind == ErrorKind::temporary || resolved.error().kind == ErrorKind::io)
        return resolved.error();
      return false;
    }
    for (const auto& r : *resolved) {
      auto k = address_key(r.address);
      if (r.kind == store::RecipientKind::local && k && *k == user) return true;
    }
    return false;
  });
  co_return co_await std::move(lookup);
}

net::awaitable<Reply> Session::on_mail(proto::Mail command) {
  if (!helo_) co_return make_reply(503, code::kBadCommand, "Send EHLO or HELO first");
  if (transaction_) co_return make_reply(503, code::kBadCommand, "Nested MAIL command");
  if (options_.mode == Mode::submission && !user_)
    co_return make_reply(530, code::kAuthRequired, "Authentication required");
  if (command.params.size && *command.params.size > options_.limits.max_message_size)
    co_return make_reply(552, code::kMessageTooBig, "Message size exceeds fixed maximum size");
  const std::string sender = command.reverse_path.to_string();
  if (user_ && !command.reverse_path.is_null()) {
    auto owned = co_await owns_address(sender);
    if (!owned)
      co_return make_reply(451, code::kTempSystem, "Temporary lookup failure, try again later");
    if (!*owned)
      co_return make_reply(
          553, code::kPolicyRejected,
          fmt::format("<{}>: Sender address rejected: not owned by user {}", sender, *user_));
  }
  MailTransaction t;
  t.queue_id = new_queue_id();
  t.sender = sender;
  t.params = std::move(command.params);
  delivery::Limits limits;
  limits.max_recipients = options_.limits.max_recipients;
  t.delivery =
      std::make_unique<delivery::Transaction>(*services_.store, *services_.blobs, sender, limits);
  if (user_)
    log::info(kLog, "{}: client={}, sasl_username={}", t.queue_id, client_name(), *user_);
  else
    log::info(kLog, "{}: client={}", t.queue_id, client_name());
  transaction_ = std::move(t);
  co_return make_reply(250, code::kSenderOk, "Ok");
}

net::awaitable<Reply> Session::on_rcpt(proto::Rcpt command) {
  if (!transaction_) co_return make_reply(503, code::kBadCommand, "Need MAIL before RCPT");
  MailTransaction& t = *transaction_;
  if (t.bdat_started) co_return make_reply(503, code::kBadCommand, "RCPT after BDAT");
  if (t.recipients.size() >= options_.limits.max_recipients)
    co_return make_reply(452, code::kTempTooManyRecipients, "Too many recipients");
  // RFC 5321 §4.1.1.3: "<postmaster>" without a domain is the postmaster of this host.
  std::string address = command.forward_path.domain.empty() ? "postmaster@" + options_.hostname
                                                            : command.forward_path.to_string();
  std::string domain = ascii_lower(command.forward_path.domain.empty()
                                       ? std::string_view(options_.hostname)
                                       : std::string_view(command.forward_path.domain));
  store::Store* store = services_.store;
  auto check = services_.runtime->run_blocking(
      [store, domain]() -> Result<bool> { return store->domain_exists(domain); });
  auto local = co_await std::move(check);
  if (!local) co_return recipient_error_reply(local.error(), address);
  if (!*local) {
    if (!user_)
      co_return make_reply(554, code::kPolicyRejected,
                           fmt::format("<{}>: Relay access denied: {} is not a domain of this "
                                       "server; authenticate to send to other domains",
                                       address, domain));
    if (!services_.outbound)
      co_return make_reply(451, code::kTempSystem, "outbound queue unavailable");
  }
  delivery::Transaction* tx = t.delivery.get();
  auto add = services_.runtime->run_blocking(
      [tx, address]() -> Result<delivery::AddedRecipient> { return tx->add_recipient(address); });
  auto added = co_await std::move(add);
  if (!added) co_return recipient_error_reply(added.error(), address);
  if (!added->remote.empty() && !services_.outbound) {
    // A local alias forwards elsewhere, but nothing can carry it there: take this
    // recipient back out by rebuilding the transaction from the ones accepted before.
    std::vector<std::string> keep;
    for (const auto& r : t.recipients) keep.push_back(r.address);
    auto rebuild = services_.runtime->run_blocking([tx, keep]() -> Result<void> {
      tx->reset();
      for (const auto& a : keep) {
        auto again = tx->add_recipient(a);
        if (!again) return again.error();
      }
      return Result<void>();
    });
    auto rebuilt = co_await std::move(rebuild);
    if (!rebuilt) {
      log::warning(kLog, "{}: could not rebuild recipients: {}", t.queue_id,
                   rebuilt.error().message);
      reset_transaction();
      co_return make_reply(451, code::kTempSystem, "Temporary failure, transaction reset");
    }
    co_return make_reply(451, code::kTempSystem, "outbound queue unavailable");
  }
  RecipientEntry entry;
  entry.address = address;
  entry.orcpt = command.params.orcpt;
  entry.notify = command.params.notify;
  entry.remote = std::move(added->remote);
  t.recipients.push_back(std::move(entry));
  co_return make_reply(250, code::kRecipientOk, "Ok");
}

net::awaitable<Next> Session::on_data() {
  Reply refusal;
  if (!transaction_) {
    refusal = make_reply(503, code::kBadCommand, "Need MAIL command");
  } else if (transaction_->bdat_started) {
    refusal = make_reply(503, code::kBadCommand, "DATA after BDAT");
  } else if (transaction_->recipients.empty()) {
    refusal = make_reply(554, code::kBadCommand, "No valid recipients");
  }
  if (refusal.code != 0) co_return co_await send_counting(std::move(refusal));

  Reply go;
  go.code = 354;
  go.lines.push_back("End data with <CR><LF>.<CR><LF>");
  if (!co_await send(std::move(go))) co_return Next::close;

  proto::DataDecoderOptions decoder_options;
  decoder_options.max_message_octets = options_.limits.max_message_size;
  decoder_options.max_line_octets = options_.limits.max_text_line;
  decoder_options.bare_line_ends = proto::BareLineEnds::reject;
  proto::DataDecoder decoder(decoder_options);
  std::string message;
  const auto deadline = net::deadline_after(options_.limits.data_timeout);
  // Whole lines only, so the decoder sees the terminator exactly where the line
  // reader ends it and no byte of a pipelined next command is consumed here.
  while (!decoder.done()) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= net::Duration::zero()) co_return co_await read_error(Error(ErrorKind::timeout, ""));
    auto read = reader_.read_line(kMaxBufferedDataLine, left);
    auto line = co_await std::move(read);
    if (!line) {
      if (line.error().kind != ErrorKind::limit) {
        reset_transaction();
        co_return co_await read_error(line.error());
      }
      log::info(kLog, "{}: data line over {} octets, closing", transaction_->queue_id,
                kMaxBufferedDataLine);
      reset_transaction();
      Reply r = make_reply(554, code::kMediaError, "Line too long, closing connection");
      co_await send(std::move(r));
      co_return Next::close;
    }
    line->text += line->ending == net::LineEnding::crlf ? "\r\n" : "\n";
    decoder.feed(line->text, message);
  }
  Reply reply;
  if (auto rejection = proto::data_rejection(decoder)) {
    log::info(kLog, "{}: reject: {} {}", transaction_->queue_id, rejection->code,
              rejection->lines.empty() ? std::string() : rejection->lines.front());
    reply = std::move(*rejection);
  } else {
    reply = co_await finish_message(std::move(message));
  }
  reset_transaction();
  co_return co_await send_counting(std::move(reply));
}

net::awaitable<Next> Session::on_bdat(proto::Bdat command) {
  // RFC 3030 §2: the chunk is read even when the command is refused.
  Reply refusal;
  if (!transaction_) {
    refusal = make_reply(503, code::kBadCommand, "Need MAIL command");
  } else if (transaction_->recipients.empty()) {
    refusal = make_reply(554, code::kBadCommand, "No valid recipients");
  }
  // Compared by subtraction: "received + size" can wrap around for a huge chunk size.
  const bool keep =
      refusal.code == 0 && transaction_->bdat_body.size() <= options_.limits.max_message_size &&
      command.size <= options_.limits.max_message_size - transaction_->bdat_body.size();
  if (refusal.code == 0 && !keep)
    refusal = make_reply(552, code::kMessageTooBig, "Message size exceeds fixed maximum size");
  const auto deadline = net::deadline_after(options_.limits.data_timeout);
  uint64_t left = command.size;
  while (left > 0) {
    const auto time_left = deadline - std::chrono::steady_clock::now();
    if (time_left <= net::Duration::zero()) {
      reset_transaction();
      co_return co_await read_error(Error(ErrorKind::timeout, ""));
    }
    auto read =
        reader_.read_at_most(static_cast<size_t>(std::min<uint64_t>(left, kBdatPiece)), time_left);
    auto piece = co_await std::move(read);
    if (!piece) {
      reset_transaction();
      co_return co_await read_error(piece.error());
    }
    left -= piece->size();
    if (keep) transaction_->bdat_body += *piece;
  }
  if (refusal.code != 0) {
    reset_transaction();
    co_return co_await send_counting(std::move(refusal));
  }
  transaction_->bdat_started = true;
  if (command.last == proto::BdatLast::no) {
    Reply ok = make_reply(250, code::kOk, fmt::format("{} octets received", command.size));
    co_return co_await send_counting(std::move(ok));
  }
  std::string message = std::move(transaction_->bdat_body);
  const BodyScan scan = scan_body(message, options_.limits.max_text_line);
  Reply reply;
  if (scan.line_too_long) {
    reply = make_reply(554, code::kMediaError, "Message has a line longer than 1000 octets");
  } else if (scan.bare_line_ends != 0) {
    // RFC 5321 §2.3.8: CR and LF only as CRLF, also in chunks.
    reply = make_reply(550, code::kMediaError, "Message contains bare CR or LF");
  } else {
    reply = co_await finish_message(std::move(message));
  }
  reset_transaction();
  co_return co_await send_counting(std::move(reply));
}

}  // namespace postamt::smtp::server::detail
