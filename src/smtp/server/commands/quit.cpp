#include "smtp/server/commands/commands.h"

namespace postamt::smtp::server::commands {

net::awaitable<Next> quit(Session& session, proto::Quit) {
  auto sent = session.send(proto::make_reply(221, proto::code::kOk, "Bye"));
  co_await std::move(sent);
  co_return Next::close;
}

}  // namespace postamt::smtp::server::commands
