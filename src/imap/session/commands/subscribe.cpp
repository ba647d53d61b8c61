#include "imap/session/commands/commands.h"
#include "imap/session/error_codes.h"

namespace postamt::imap::commands {

// RFC 3501 §6.3.6-7. Postamt keeps the subscription on the mailbox, so only existing
// mailboxes can be subscribed (NONEXISTENT otherwise).
Reply subscribe(CommandContext& ctx, const proto::SubscribeCmd& cmd) {
  auto mailbox = ctx.store.find_mailbox(ctx.account.id, cmd.mailbox);
  if (!mailbox) return reply_for(mailbox.error());
  bool on = cmd.action == proto::Subscription::subscribe;
  auto set = ctx.store.set_subscription(
      mailbox->id, on ? store::Subscription::subscribed : store::Subscription::unsubscribed);
  if (!set) return reply_for(set.error());
  return Reply::ok(on ? "SUBSCRIBE completed" : "UNSUBSCRIBE completed");
}

}  // namespace postamt::imap::commands
