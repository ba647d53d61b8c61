#include "imap/session/commands/commands.h"
#include "imap/session/error_codes.h"

namespace postamt::imap::commands {

// RFC 3501 §6.1.2: NOOP is the polling point for new and expunged messages; the
// dispatcher adds those updates after every command (dispatch.cpp), so NOOP itself
// has nothing more to do.
Reply noop(CommandContext&, const proto::NoopCmd&) {
  return Reply::ok("NOOP completed");
}

}  // namespace postamt::imap::commands
