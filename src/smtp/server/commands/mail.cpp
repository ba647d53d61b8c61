#include <fmt/format.h>

#include "base/log.h"
#include "mail/domains.h"
#include "mail/senders.h"
#include "smtp/server/commands/commands.h"

namespace postamt::smtp::server::commands {
namespace {

namespace code = proto::code;
using proto::make_reply;

// The sender rules, or nullopt when MAIL may go on. Authenticated: the user's own
// addresses only (RFC 6409 §8). Unauthenticated: no address of a local domain, unless
// from a trusted network: outside mail does not come from local users.
net::awaitable<std::optional<Reply>> sender_refusal(Session& session, proto::Mailbox path) {
  if (path.is_null()) co_return std::nullopt;
  const std::string sender = path.to_string();
  store::Store* store = session.services_.delivery.store;
  if (session.user_) {
    std::string user = *session.user_;
    auto lookup = session.services_.runtime->run_blocking(
        [store, user, sender] { return mail::owns_address(*store, user, sender); });
    auto owned = co_await std::move(lookup);
    if (!owned)
      co_return make_reply(451, code::kTempSystem, "Temporary lookup failure, try again later");
    if (!*owned)
      co_return make_reply(
          553, code::kPolicyRejected,
          fmt::format("<{}>: Sender address rejected: not owned by user {}", sender, user));
    co_return std::nullopt;
  }
  if (session.from_trusted_network()) co_return std::nullopt;
  std::string domain = path.domain;
  auto check = session.services_.runtime->run_blocking(
      [store, domain] { return mail::is_local_domain(*store, domain); });
  auto local = co_await std::move(check);
  if (!local)
    co_return make_reply(451, code::kTempSystem, "Temporary lookup failure, try again later");
  if (*local)
    co_return make_reply(550, code::kPolicyRejected,
                         fmt::format("<{}>: Sender address rejected: a local sender must "
                                     "authenticate",
                                     sender));
  co_return std::nullopt;
}

}  // namespace

net::awaitable<Next> mail(Session& session, proto::Mail command) {
  const std::string sender = command.reverse_path.to_string();
  std::optional<Reply> refusal;
  if (command.params.size && *command.params.size > session.options_.limits.max_message_size) {
    refusal = make_reply(552, code::kMessageTooBig, "Message size exceeds fixed maximum size");
  } else {
    auto checked = sender_refusal(session, command.reverse_path);
    refusal = co_await std::move(checked);
  }
  if (refusal) {
    session.log_reject("MAIL", *refusal, sender, "");
    auto answered = session.answer(std::move(*refusal));
    co_return co_await std::move(answered);
  }
  detail::MailTransaction t;
  t.queue_id = session.new_queue_id();
  t.sender = sender;
  t.params = std::move(command.params);
  delivery::Limits limits;
  limits.max_recipients = session.options_.limits.max_recipients;
  t.delivery = std::make_unique<delivery::Transaction>(session.services_.delivery, sender, limits);
  // Postfix-style: the id given here names the message in every later log line
  // (delivery/message_log.h, queue/worker.h) and in the final "250 ... queued as".
  t.delivery->set_queue_id(t.queue_id);
  // RFC 3461 §4.3, §4.4: RET and ENVID travel with the queued copy.
  delivery::Ret ret = delivery::Ret::unspecified;
  if (t.params.ret)
    ret = *t.params.ret == proto::DsnReturn::full ? delivery::Ret::full : delivery::Ret::headers;
  t.delivery->set_dsn(ret, t.params.envid.value_or(""));
  if (session.user_)
    log::message(log::Level::info, "smtpd", t.queue_id, "client={}, sasl_username={}",
                 session.client_name(), *session.user_);
  else
    log::message(log::Level::info, "smtpd", t.queue_id, "client={}", session.client_name());
  session.transaction_ = std::move(t);
  auto answered = session.answer(make_reply(250, code::kSenderOk, "Ok"));
  co_return co_await std::move(answered);
}

}  // namespace postamt::smtp::server::commands
