#include "imap/session/commands/commands.h"
#include "imap/session/error_codes.h"
#include "mail/mailboxes.h"

namespace postamt::imap::commands {

// RFC 3501 §6.3.4. The store refuses INBOX (CANNOT). Deleting the selected mailbox
// leaves the selected state, since nothing is left to refer to, and says so with the
// CLOSED code (RFC 9051 §7.1; an IMAP4rev1 client ignores a code it does not know).
Reply delete_mailbox(CommandContext& ctx, const proto::DeleteCmd& cmd) {
  auto deleted = mail::delete_mailbox(ctx.store, ctx.account.id, cmd.mailbox);
  if (!deleted) return reply_for(deleted.error());
  Reply reply = Reply::ok("DELETE completed");
  if (ctx.selected && ctx.selected->id() == *deleted) {
    ctx.selected.reset();
    reply.untagged.emplace_back(proto::StatusResponse{
        "", proto::Condition::ok, proto::ResponseCode::simple(proto::ResponseCode::Kind::closed),
        "The selected mailbox was deleted"});
  }
  return reply;
}

}  // namespace postamt::imap::commands
