#include "auth/sasl.h"
#include "pop3/proto/response.h"
#include "pop3/session/commands/commands.h"

namespace postamt::pop3::commands {

net::awaitable<Next> capa(Session& session, proto::Capa) {
  proto::Capabilities caps;
  // RFC 2449 §5: what AUTHORIZATION offers is announced in both states; STLS is the
  // exception because it is only valid before login (RFC 2595 §4).
  caps.user = session.plaintext_mechanisms() == auth::PlaintextMechanisms::allowed;
  caps.stls = !session.conn_.is_tls() && session.s_.stls == StlsSupport::available &&
              session.state_ == detail::State::authorization;
  for (auto n :
       auth::offered_mechanisms(session.plaintext_mechanisms(), auth::ScramSupport::disabled))
    caps.sasl.emplace_back(n);
  caps.implementation = session.s_.implementation;
  std::string listing = proto::multiline("Capability list follows", proto::capa_lines(caps));
  co_return co_await session.reply(std::move(listing));
}

}  // namespace postamt::pop3::commands
