#include "imap/session/commands/commands.h"
#include "imap/session/error_codes.h"
#include "mail/mailboxes.h"

namespace postamt::imap::commands {

// RFC 9208 §4.3: Postamt has no quota roots yet, so every mailbox has none.
Reply get_quota_root(CommandContext& ctx, const proto::GetQuotaRootCmd& cmd) {
  auto name = mail::check_mailbox_name(cmd.mailbox);
  if (!name) return reply_for(name.error());
  auto mailbox = ctx.store.find_mailbox(ctx.account.id, *name);
  if (!mailbox) return reply_for(mailbox.error());
  Reply reply = Reply::ok("GETQUOTAROOT completed");
  reply.untagged.emplace_back(proto::QuotaRootData{mailbox->name, {}});
  return reply;
}

// RFC 9208 §4.2: no root exists, so any root named is unknown.
Reply get_quota(CommandContext&, const proto::GetQuotaCmd&) {
  return Reply::no(proto::ResponseCode::simple(proto::ResponseCode::Kind::nonexistent),
                   "No such quota root");
}

}  // namespace postamt::imap::commands
