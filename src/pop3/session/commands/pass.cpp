#include "pop3/proto/response.h"
#include "pop3/session/commands/commands.h"

namespace postamt::pop3::commands {

net::awaitable<Next> pass(Session& session, proto::Pass command) {
  if (session.plaintext_mechanisms() == auth::PlaintextMechanisms::refused) {
    std::string e = proto::err(kPlaintextRefused);
    co_return co_await session.reply(std::move(e));
  }
  if (!session.user_) {
    std::string e = proto::err("send USER first");
    co_return co_await session.reply(std::move(e));
  }
  // RFC 1939 §7: after a failed PASS the client starts again with USER.
  std::string user = std::move(*session.user_);
  session.user_.reset();
  auto logged_in = login(session, std::move(user), std::move(command.password), "USER");
  co_return co_await std::move(logged_in);
}

}  // namespace postamt::pop3::commands
