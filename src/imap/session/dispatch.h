// The dispatch table of the store commands: command type -> command function
// (commands/commands.h). The session checks each command's kState first and runs its
// own commands (CAPABILITY, LOGOUT, ID, LOGIN, AUTHENTICATE, STARTTLS, IDLE: the
// kSessionCommand table in session.cpp, with the reason) itself; NOOP before login too.
#pragma once

#include <optional>

#include "imap/proto/command.h"
#include "imap/session/reply.h"

namespace postamt::imap {

// Whether a command of this kind may run with `selected` (RFC 9051 §3). Requires an
// authenticated session.
bool allowed_after_login(proto::CommandState state, bool mailbox_selected);

// True when `body` is in the table.
bool has_handler(const proto::CommandBody& body);

// Runs the command's function. Requires has_handler(body) and the state check passed.
// Blocking: call on a store thread.
Reply run_handler(CommandContext& ctx, const proto::CommandBody& body);

}  // namespace postamt::imap
