#include "imap/session/commands/commands.h"
#include "imap/session/error_codes.h"

namespace postamt::imap::commands {

// RFC 3501 §6.3.5. Renaming INBOX (which moves its messages, RFC 3501 §6.3.5 last
// paragraph) is refused by the store until the mail layer implements it.
Reply rename(CommandContext& ctx, const proto::RenameCmd& cmd) {
  auto mailbox = ctx.store.find_mailbox(ctx.account.id, cmd.from);
  if (!mailbox) return reply_for(mailbox.error());
  auto renamed = ctx.store.rename_mailbox(mailbox->id, cmd.to);
  if (!renamed) return reply_for(renamed.error());
  return Reply::ok("RENAME completed");
}

}  // namespace postamt::imap::commands
