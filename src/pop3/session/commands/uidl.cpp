#include <fmt/format.h>

#include "pop3/proto/response.h"
#include "pop3/session/commands/commands.h"

namespace postamt::pop3::commands {

net::awaitable<Next> uidl(Session& session, proto::Uidl command) {
  if (!command.msg) {
    std::string listing =
        proto::multiline("unique-id listing follows", session.maildrop_->unique_id_listing());
    co_return co_await session.reply(std::move(listing));
  }
  auto found = session.maildrop_->find(*command.msg);
  std::string r =
      found ? proto::ok(fmt::format("{} {}", *command.msg,
                                    unique_id(session.maildrop_->uid_validity(), (*found)->uid)))
            : proto::err(found.error().message);
  co_return co_await session.reply(std::move(r));
}

}  // namespace postamt::pop3::commands
