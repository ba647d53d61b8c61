// The end of a mail transaction: loop and sender checks, the submission check, the
// Received field, then the delivery transaction's commit (local copies and queue).
// 250 only after every durable write returned.
#include <fmt/format.h>

#include "base/log.h"
#include "delivery/message_log.h"
#include "mail/senders.h"
#include "metrics/catalog.h"
#include "smtp/server/commands/commands.h"

namespace postamt::smtp::server::commands {
namespace {

namespace code = proto::code;
using proto::make_reply;
constexpr std::string_view kLog = "smtpd";

std::string received_field(const Session& session, const detail::MailTransaction& t) {
  ReceivedInfo info;
  info.helo = *session.helo_;
  info.remote_ip = session.connection_->remote().address;
  info.hostname = session.options_.hostname;
  info.protocol = with_protocol(session.greeting_, session.is_tls() ? Secured::tls : Secured::no,
                                session.user_ ? Authenticated::yes : Authenticated::no,
                                t.params.smtputf8 ? Utf8Mail::yes : Utf8Mail::no);
  info.queue_id = t.queue_id;
  if (auto tls = session.connection_->tls_info()) {
    info.tls_version = tls->version;
    info.tls_cipher = tls->cipher;
    info.tls_bits = tls->bits;
  }
  if (session.user_) info.authenticated_user = *session.user_;
  if (t.recipients.size() == 1) info.recipient = t.recipients.front();
  info.when = session.options_.clock();
  return received_header(info);
}

}  // namespace

net::awaitable<Reply> finish_message(Session& session, std::string message) {
  detail::MailTransaction& t = *session.transaction_;
  net::Runtime& runtime = *session.services_.runtime;
  if (count_received(message) > session.options_.limits.max_received_headers) {
    log::message(log::Level::info, kLog, t.queue_id,
                 "reject: too many Received headers (mail loop)");
    co_return make_reply(554, proto::EnhancedCode{5, 4, 6},
                         "Too many Received header fields: mail loop detected");
  }
  if (session.user_) {
    // RFC 6409 §8: the submission server may check the author against the login; every
    // originator field, and every address its names and comments spell, must be the
    // user's (mail/senders.h). On the blocking pool: it reads the store.
    store::Store* store = session.services_.delivery.store;
    const std::string user = *session.user_;
    const std::string* body = &message;
    // `message` lives in this frame, which stays alive while the call runs.
    auto check = runtime.run_blocking(
        [store, user, body] { return mail::check_originators(*store, user, *body); });
    auto refusal = co_await std::move(check);
    if (!refusal)
      co_return make_reply(451, code::kTempSystem, "Temporary lookup failure, try again");
    if (*refusal) {
      log::message(log::Level::info, kLog, t.queue_id, "reject: {}", **refusal);
      co_return make_reply(550, code::kPolicyRejected, **refusal);
    }
  }

  if (session.options_.mode == Mode::submission && session.user_ &&
      session.services_.submission_check) {
    delivery::SubmissionCheck* hook = session.services_.submission_check;
    delivery::Submission submission{*session.user_, t.sender, &t.recipients, message};
    // `submission` points into this frame, which stays alive while the call runs.
    auto check = runtime.run_blocking([hook, &submission] { return hook->check(submission); });
    auto decision = co_await std::move(check);
    if (!decision) {
      log::message(log::Level::warning, kLog, t.queue_id, "submission check failed: {}",
                   decision.error().message);
      co_return make_reply(451, code::kTempSystem, "Temporary failure, try again later");
    }
    if (decision->verdict == delivery::SubmissionVerdict::reject) {
      log::message(log::Level::info, kLog, t.queue_id, "reject: {}", decision->text);
      co_return make_reply(550, code::kPolicyRejected, decision->text);
    }
    if (decision->verdict == delivery::SubmissionVerdict::drop) {
      log::message(log::Level::info, kLog, t.queue_id,
                   "from=<{}>, size={}, nrcpt={}, status=dropped (nothing delivered)", t.sender,
                   message.size(), t.recipients.size());
      co_return make_reply(250, code::kOk, fmt::format("Ok: queued as {}", t.queue_id));
    }
  }

  auto authenticated = authenticate_message(session, message);
  if (auto refusal = co_await std::move(authenticated)) co_return std::move(*refusal);

  delivery::Transaction* tx = t.delivery.get();
  auto commit = runtime.run_blocking([tx, body = received_field(session, t) + message]() mutable {
    tx->set_body(std::move(body));
    return tx->commit();
  });
  auto committed = co_await std::move(commit);
  if (!committed) {
    // Nothing is kept for anyone (delivery/transaction.h): the client's retry is safe.
    log::message(log::Level::warning, kLog, t.queue_id, "delivery failed: {}",
                 committed.error().message);
    // RFC 3463 §3.5 X.3.1 "mail system full"; RFC 5321 §4.2.2 452 "insufficient
    // system storage".
    if (committed.error().kind == ErrorKind::no_space)
      co_return make_reply(452, code::kTempSystemFull, "Insufficient system storage");
    // RFC 3463 X.2.2 mailbox full: for now (452) or, when the message alone is larger than
    // the recipient's quota, for good (552).
    if (committed.error().kind == ErrorKind::over_quota)
      co_return make_reply(452, code::kTempMailboxFull,
                           fmt::format("Mailbox full: {}", committed.error().message));
    if (committed.error().kind == ErrorKind::limit)
      co_return make_reply(552, code::kMailboxFull,
                           fmt::format("Mailbox full: {}", committed.error().message));
    co_return make_reply(451, code::kTempSystem, "Delivery failed, try again later");
  }
  // The transaction carries the session's id (set at MAIL), so these lines, the queue
  // entry and the worker's lines all name the message by the id in the 250 reply.
  delivery::log_committed(*tx, *committed);
  co_return make_reply(250, code::kOk, fmt::format("Ok: queued as {}", t.queue_id));
}

net::awaitable<Next> end_of_message(Session& session, std::optional<Reply> rejection,
                                    std::string message) {
  const uint64_t size = message.size();
  Reply reply;
  if (rejection) {
    reply = std::move(*rejection);
  } else {
    auto finished = finish_message(session, std::move(message));
    reply = co_await std::move(finished);
  }
  session.reset_transaction();
  metrics::Catalog& counts = metrics::catalog();
  const std::string& service = session.context_.service;
  counts.smtp_messages.with({service, reply.code < 400 ? "accepted" : "rejected"}).inc();
  if (reply.code < 400) counts.smtp_bytes.with({service}).inc(size);
  auto answered = session.answer(std::move(reply));
  co_return co_await std::move(answered);
}

}  // namespace postamt::smtp::server::commands
