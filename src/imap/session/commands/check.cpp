#include "imap/session/commands/commands.h"

namespace postamt::imap::commands {

// RFC 3501 §6.4.1: every write is already durable (store/api/store.h), so CHECK only
// reports what changed, like NOOP; the dispatcher adds those updates (dispatch.cpp).
Reply check(CommandContext&, const proto::CheckCmd&) {
  return Reply::ok("CHECK completed");
}

}  // namespace postamt::imap::commands
