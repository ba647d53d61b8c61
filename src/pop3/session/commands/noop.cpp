#include "pop3/proto/response.h"
#include "pop3/session/commands/commands.h"

namespace postamt::pop3::commands {

net::awaitable<Next> noop(Session& session, proto::Noop) {
  co_return co_await session.reply(proto::ok());
}

}  // namespace postamt::pop3::commands
