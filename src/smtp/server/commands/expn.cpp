#include "smtp/server/commands/commands.h"

namespace postamt::smtp::server::commands {

net::awaitable<Next> expn(Session& session, proto::Expn) {
  // RFC 5321 §3.5.2: expanding lists tells outsiders who is on them; not offered.
  auto answered =
      session.answer(proto::make_reply(502, proto::code::kBadCommand, "EXPN is not supported"));
  co_return co_await std::move(answered);
}

}  // namespace postamt::smtp::server::commands
