#include "smtp/server/commands/commands.h"

namespace postamt::smtp::server::commands {

net::awaitable<Next> vrfy(Session& session, proto::Vrfy) {
  // RFC 5321 §3.5.3: 252 without disclosing whether the user exists.
  auto answered = session.answer(
      proto::make_reply(252, proto::code::kCannotVerify,
                        "Cannot VRFY user, but will accept message and attempt delivery"));
  co_return co_await std::move(answered);
}

}  // namespace postamt::smtp::server::commands
