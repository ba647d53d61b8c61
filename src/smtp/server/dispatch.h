// The SMTP dispatch table: command type -> command function (commands/commands.h), with
// each command's state rules checked once here from its traits (RFC 5321 §4.1.4 order
// of commands, RFC 4954 §4 AUTH, RFC 6409 submission). Internal to the session.
#pragma once

#include "smtp/proto/command.h"
#include "smtp/server/session_impl.h"

namespace postamt::smtp::server::detail {

// Refuses a command its state rules do not allow ("503 5.5.1 ...", "530 5.7.0 ..."),
// else runs its function.
net::awaitable<Next> dispatch(Session& session, proto::Command command);

}  // namespace postamt::smtp::server::detail
