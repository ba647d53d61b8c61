#include <fmt/format.h>

#include "base/log.h"
#include "mail/senders.h"
#include "smtp/server/commands/commands.h"

namespace postamt::smtp::server::commands {

net::awaitable<Next> mail(Session& session, proto::Mail command) {
  namespace code = proto::code;
  using proto::make_reply;
  if (command.params.size && *command.params.size > session.options_.limits.max_message_size) {
    auto answered = session.answer(
        make_reply(552, code::kMessageTooBig, "Message size exceeds fixed maximum size"));
    co_return co_await std::move(answered);
  }
  const std::string sender = command.reverse_path.to_string();
  if (session.user_ && !command.reverse_path.is_null()) {
    store::Store* store = session.services_.delivery.store;
    std::string user = *session.user_;
    auto lookup = session.services_.runtime->run_blocking(
        [store, user, sender] { return mail::owns_address(*store, user, sender); });
    auto owned = co_await std::move(lookup);
    Reply refusal;
    if (!owned)
      refusal = make_reply(451, code::kTempSystem, "Temporary lookup failure, try again later");
    else if (!*owned)
      refusal = make_reply(
          553, code::kPolicyRejected,
          fmt::format("<{}>: Sender address rejected: not owned by user {}", sender, user));
    if (refusal.code != 0) {
      auto answered = session.answer(std::move(refusal));
      co_return co_await std::move(answered);
    }
  }
  detail::MailTransaction t;
  t.queue_id = session.new_queue_id();
  t.sender = sender;
  t.params = std::move(command.params);
  delivery::Limits limits;
  limits.max_recipients = session.options_.limits.max_recipients;
  t.delivery = std::make_unique<delivery::Transaction>(session.services_.delivery, sender, limits);
  // RFC 3461 §4.3, §4.4: RET and ENVID travel with the queued copy.
  delivery::Ret ret = delivery::Ret::unspecified;
  if (t.params.ret)
    ret = *t.params.ret == proto::DsnReturn::full ? delivery::Ret::full : delivery::Ret::headers;
  t.delivery->set_dsn(ret, t.params.envid.value_or(""));
  if (session.user_)
    log::info("smtpd", "{}: client={}, sasl_username={}", t.queue_id, session.client_name(),
              *session.user_);
  else
    log::info("smtpd", "{}: client={}", t.queue_id, session.client_name());
  session.transaction_ = std::move(t);
  auto answered = session.answer(make_reply(250, code::kSenderOk, "Ok"));
  co_return co_await std::move(answered);
}

}  // namespace postamt::smtp::server::commands
