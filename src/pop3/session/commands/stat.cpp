#include <fmt/format.h>

#include "pop3/proto/response.h"
#include "pop3/session/commands/commands.h"

namespace postamt::pop3::commands {

net::awaitable<Next> stat(Session& session, proto::Stat) {
  MaildropTotals t = session.maildrop_->totals();
  std::string ok = proto::ok(fmt::format("{} {}", t.messages, t.octets));  // RFC 1939 §5
  co_return co_await session.reply(std::move(ok));
}

}  // namespace postamt::pop3::commands
