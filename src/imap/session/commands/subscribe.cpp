#include "imap/session/commands/commands.h"
#include "imap/session/error_codes.h"
#include "mail/mailboxes.h"

namespace postamt::imap::commands {

// RFC 3501 §6.3.6-7. Postamt keeps the subscription on the mailbox, so only existing
// mailboxes can be subscribed (NONEXISTENT otherwise).
Reply subscribe(CommandContext& ctx, const proto::SubscribeCmd& cmd) {
  auto name = mail::check_mailbox_name(cmd.mailbox);
  if (!name) return reply_for(name.error());
  auto mailbox = ctx.store.find_mailbox(ctx.account.id, *name);
  if (!mailbox) return reply_for(mailbox.error());
  bool on = cmd.action == proto::Subscription::subscribe;
  auto set = ctx.store.set_subscription(
      mailbox->id, on ? store::Subscription::subscribed : store::Subscription::unsubscribed);
  if (!set) return reply_for(set.error());
  return Reply::ok(on ? "SUBSCRIBE completed" : "UNSUBSCRIBE completed");
}

}  // namespace postamt::imap::commands
