#include "imap/session/commands/commands.h"

namespace postamt::imap::commands {

// RFC 3691: like CLOSE without removing \Deleted messages.
Reply unselect(CommandContext& ctx, const proto::UnselectCmd&) {
  ctx.selected.reset();
  return Reply::ok("UNSELECT completed");
}

}  // namespace postamt::imap::commands
