#include "imap/session/commands/commands.h"
#include "imap/session/commands/common.h"
#include "imap/session/error_codes.h"
#include "mail/messages.h"

namespace postamt::imap::commands {

// RFC 3501 §6.4.2: removes \Deleted messages silently (no EXPUNGE responses) unless the
// mailbox was EXAMINEd, and returns to the authenticated state even when that fails.
Reply close(CommandContext& ctx, const proto::CloseCmd&) {
  SelectedMailbox selected = std::move(*ctx.selected);
  ctx.selected.reset();
  if (selected.access() == Access::read_only) return Reply::ok("CLOSE completed");
  auto messages = ctx.store.list_messages(selected.id());
  if (!messages) return reply_for(messages.error());
  std::vector<Uid> uids = deleted_uids(*messages);
  auto removed =
      mail::expunge_messages(ctx.store, selected.id(), uids, store::ExpungeScope::deleted_only);
  if (!removed) return reply_for(removed.error());
  return Reply::ok("CLOSE completed");
}

}  // namespace postamt::imap::commands
