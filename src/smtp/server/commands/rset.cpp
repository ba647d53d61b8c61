#include "smtp/server/commands/commands.h"

namespace postamt::smtp::server::commands {

net::awaitable<Next> rset(Session& session, proto::Rset) {
  session.reset_transaction();
  auto answered = session.answer(proto::make_reply(250, proto::code::kOk, "Ok"));
  co_return co_await std::move(answered);
}

}  // namespace postamt::smtp::server::commands
