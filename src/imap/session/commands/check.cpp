#include "imap/session/commands/commands.h"
#include "imap/session/error_codes.h"

namespace postamt::imap::commands {

// RFC 3501 §6.4.1: every write is already durable (store/api/store.h), so CHECK only
// reports what changed, like NOOP.
Reply check(CommandContext& ctx, const proto::CheckCmd&) {
  auto messages = ctx.store.list_messages(ctx.selected->id());
  if (!messages) return reply_for(messages.error());
  Reply reply = Reply::ok("CHECK completed");
  reply.untagged = ctx.selected->synchronize(*messages);
  return reply;
}

}  // namespace postamt::imap::commands
