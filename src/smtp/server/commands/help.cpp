#include "smtp/server/commands/commands.h"

namespace postamt::smtp::server::commands {

net::awaitable<Next> help(Session& session, proto::Help) {
  auto answered = session.answer(
      proto::make_reply(214, proto::code::kOk,
                        "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP "
                        "STARTTLS AUTH"));
  co_return co_await std::move(answered);
}

}  // namespace postamt::smtp::server::commands
