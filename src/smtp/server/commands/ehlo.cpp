#include "auth/sasl.h"
#include "smtp/server/commands/commands.h"

namespace postamt::smtp::server::commands {

net::awaitable<Next> ehlo(Session& session, proto::Ehlo command) {
  // RFC 5321 §4.1.4: EHLO resets the mail transaction.
  session.reset_transaction();
  session.helo_ = command.domain;
  session.greeting_ = Greeting::ehlo;
  proto::ServerExtensions ext;
  ext.size = session.options_.limits.max_message_size;
  ext.chunking = true;
  ext.smtputf8 = true;
  ext.dsn = true;
  ext.starttls = !session.is_tls() && session.options_.starttls == StartTlsOffer::offered;
  // RFC 4954 §4: AUTH is offered only until a login succeeded, and PLAIN/LOGIN only where
  // passwords may be sent as they are.
  if (session.plaintext_mechanisms() == auth::PlaintextMechanisms::allowed && !session.user_) {
    for (auto name :
         auth::offered_mechanisms(auth::PlaintextMechanisms::allowed, auth::ScramSupport::disabled))
      ext.auth_mechanisms.emplace_back(name);
  }
  Reply reply = proto::ehlo_reply(session.options_.hostname, "Hello " + command.domain, ext);
  auto answered = session.answer(std::move(reply));
  co_return co_await std::move(answered);
}

}  // namespace postamt::smtp::server::commands
