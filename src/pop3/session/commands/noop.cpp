#include "pop3/proto/response.h"
#include "pop3/session/commands/commands.h"

namespace postamt::pop3::commands {

net::awaitable<Next> noop(Session& session, proto::Noop) {
  std::string ok = proto::ok();
  auto replied = session.reply(std::move(ok));
  co_return co_await std::move(replied);
}

}  // namespace postamt::pop3::commands
