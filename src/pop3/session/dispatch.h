// The POP3 dispatch table: command type -> command function (commands/commands.h), with
// the session state checked once here from each command's kState (RFC 1939 §3). A
// command in the wrong state counts as a bad command. Internal to the session.
#pragma once

#include "pop3/proto/command.h"
#include "pop3/session/session_impl.h"

namespace postamt::pop3::detail {

net::awaitable<Next> dispatch(Session& session, proto::Command command);

}  // namespace postamt::pop3::detail
