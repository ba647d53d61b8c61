#include "imap/session/commands/commands.h"
#include "imap/session/error_codes.h"

namespace postamt::imap::commands {

// RFC 3501 §6.1.2: NOOP is the polling point for new and expunged messages.
Reply noop(CommandContext& ctx, const proto::NoopCmd&) {
  Reply reply = Reply::ok("NOOP completed");
  if (!ctx.selected) return reply;
  auto messages = ctx.store.list_messages(ctx.selected->id());
  if (!messages) return reply_for(messages.error());
  reply.untagged = ctx.selected->synchronize(*messages);
  return reply;
}

}  // namespace postamt::imap::commands
