#include <fmt/format.h>

#include "pop3/proto/response.h"
#include "pop3/session/commands/commands.h"

namespace postamt::pop3::commands {

net::awaitable<Next> list(Session& session, proto::List command) {
  if (!command.msg) {
    MaildropTotals t = session.maildrop_->totals();
    std::string listing =
        proto::multiline(fmt::format("{} messages ({} octets)", t.messages, t.octets),
                         session.maildrop_->scan_listing());
    co_return co_await session.reply(std::move(listing));
  }
  auto found = session.maildrop_->find(*command.msg);
  std::string r = found ? proto::ok(fmt::format("{} {}", *command.msg, (*found)->octets))
                        : proto::err(found.error().message);
  co_return co_await session.reply(std::move(r));
}

}  // namespace postamt::pop3::commands
