#include "imap/session/commands/commands.h"

namespace postamt::imap::commands {

// RFC 5267 §4.3.5: no further updates for the named contexts; unknown tags are no error.
Reply cancel_update(CommandContext& ctx, const proto::CancelUpdateCmd& cmd) {
  ctx.selected->cancel_contexts(cmd.tags);
  return Reply::ok("CANCELUPDATE completed");
}

}  // namespace postamt::imap::commands
