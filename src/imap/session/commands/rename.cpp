#include "imap/session/commands/commands.h"
#include "imap/session/error_codes.h"
#include "mail/mailboxes.h"

namespace postamt::imap::commands {

// RFC 3501 §6.3.5: the mail core renames, with INBOX's special rule and the superior
// names the new name needs (mail/mailboxes.h).
Reply rename(CommandContext& ctx, const proto::RenameCmd& cmd) {
  auto renamed = mail::rename_mailbox(ctx.store, ctx.account.id, cmd.from, cmd.to);
  if (!renamed) return reply_for(renamed.error());
  return Reply::ok("RENAME completed");
}

}  // namespace postamt::imap::commands
