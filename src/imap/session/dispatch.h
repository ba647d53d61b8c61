// The dispatch table: command type -> command function (commands/commands.h), with the
// connection-state check done once from each command's kState (DESIGN.md §4.1).
// Commands handled by the session itself (CAPABILITY, LOGOUT, LOGIN, AUTHENTICATE,
// STARTTLS, NOOP before selection) are not in the table.
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
