#include "pop3/proto/response.h"
#include "pop3/session/commands/commands.h"

namespace postamt::pop3::commands {

net::awaitable<Next> user(Session& session, proto::User command) {
  if (session.plaintext_mechanisms() == auth::PlaintextMechanisms::refused) {
    std::string e = proto::err(kPlaintextRefused);
    co_return co_await session.reply(std::move(e));
  }
  session.user_ = std::move(command.name);
  std::string ok = proto::ok("send PASS");
  co_return co_await session.reply(std::move(ok));
}

}  // namespace postamt::pop3::commands
