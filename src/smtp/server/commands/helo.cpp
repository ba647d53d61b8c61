#include "smtp/server/commands/commands.h"

namespace postamt::smtp::server::commands {

net::awaitable<Next> helo(Session& session, proto::Helo command) {
  session.reset_transaction();
  session.helo_ = command.domain;
  session.greeting_ = Greeting::helo;
  Reply reply;
  reply.code = 250;
  reply.lines.push_back(session.options_.hostname);
  auto answered = session.answer(std::move(reply));
  co_return co_await std::move(answered);
}

}  // namespace postamt::smtp::server::commands
