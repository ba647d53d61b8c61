#include <fmt/format.h>

#include "pop3/proto/response.h"
#include "pop3/session/commands/commands.h"

namespace postamt::pop3::commands {

net::awaitable<Next> dele(Session& session, proto::Dele command) {
  auto marked = session.maildrop_->mark_deleted(command.msg);
  std::string r = marked ? proto::ok(fmt::format("message {} deleted", command.msg))
                         : proto::err(marked.error().message);
  co_return co_await session.reply(std::move(r));
}

}  // namespace postamt::pop3::commands
