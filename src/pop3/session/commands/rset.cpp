#include <fmt/format.h>

#include "pop3/proto/response.h"
#include "pop3/session/commands/commands.h"

namespace postamt::pop3::commands {

net::awaitable<Next> rset(Session& session, proto::Rset) {
  session.maildrop_->unmark_all();
  MaildropTotals t = session.maildrop_->totals();
  std::string ok =
      proto::ok(fmt::format("maildrop has {} messages ({} octets)", t.messages, t.octets));
  co_return co_await session.reply(std::move(ok));
}

}  // namespace postamt::pop3::commands
