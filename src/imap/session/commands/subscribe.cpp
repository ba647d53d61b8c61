#include "imap/session/commands/commands.h"
#include "imap/session/error_codes.h"
#include "mail/mailboxes.h"

namespace postamt::imap::commands {

// RFC 3501 §6.3.6-7, RFC 9051 §6.3.7-8. Subscriptions are names (store.h): SUBSCRIBE
// checks that the mailbox exists (which the RFC allows; NONEXISTENT otherwise), but
// UNSUBSCRIBE takes any valid name, so that the subscription of a deleted mailbox can
// be dropped, and both succeed when nothing changes.
Reply subscribe(CommandContext& ctx, const proto::SubscribeCmd& cmd) {
  auto name = mail::check_mailbox_name(cmd.mailbox);
  if (!name) return reply_for(name.error());
  bool on = cmd.action == proto::Subscription::subscribe;
  if (on) {
    auto mailbox = ctx.store.find_mailbox(ctx.account.id, *name);
    if (!mailbox) return reply_for(mailbox.error());
  }
  auto set = ctx.store.set_subscription(
      ctx.account.id, *name,
      on ? store::Subscription::subscribed : store::Subscription::unsubscribed);
  if (!set) return reply_for(set.error());
  return Reply::ok(on ? "SUBSCRIBE completed" : "UNSUBSCRIBE completed");
}

}  // namespace postamt::imap::commands
