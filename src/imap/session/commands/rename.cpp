#include <string>
#include <vector>

#include "base/log.h"
#include "imap/session/commands/commands.h"
#include "imap/session/commands/mailbox_rules.h"
#include "imap/session/error_codes.h"

namespace postamt::imap::commands {
namespace {

// RFC 3501 §6.3.5: renaming INBOX moves all its messages into a new mailbox of the
// given name and leaves INBOX in place, empty; INBOX's children stay where they are.
// Two store transactions (create, then move): if the move fails, the new mailbox is
// removed again so that the client can retry the same name.
Reply rename_inbox(CommandContext& ctx, const store::Mailbox& inbox, const std::string& to) {
  auto made = ctx.store.create_mailbox(ctx.account.id, to, MailboxRole::none);
  if (!made) return reply_for(made.error());
  auto messages = ctx.store.list_messages(inbox.id);
  std::vector<Uid> uids;
  if (messages)
    for (const auto& m : *messages) uids.push_back(m.uid);
  Result<store::CopyResult> moved = messages ? ctx.store.move(inbox.id, uids, made->id)
                                             : Result<store::CopyResult>(messages.error());
  if (!moved) {
    (void)ctx.store.delete_mailbox(made->id);
    return reply_for(moved.error());
  }
  return Reply::ok("RENAME completed");
}

// RFC 3501 §6.3.5: superior names the new name needs are created ("SHOULD"), as
// CREATE does. Done after the rename succeeded, so that a refused rename leaves nothing
// behind; the store does not need them, so a failure here only goes to the log.
void create_parents(CommandContext& ctx, const std::string& name) {
  for (size_t slash = name.find('/'); slash != std::string::npos;
       slash = name.find('/', slash + 1)) {
    std::string parent = name.substr(0, slash);
    auto exists = ctx.store.find_mailbox(ctx.account.id, parent);
    if (exists) continue;
    auto made = ctx.store.create_mailbox(ctx.account.id, parent, MailboxRole::none);
    if (!made) {
      log::warning("imap", "creating {} after RENAME failed: {}", parent, made.error().message);
      return;
    }
  }
}

}  // namespace

Reply rename(CommandContext& ctx, const proto::RenameCmd& cmd) {
  if (auto valid = check_mailbox_name(cmd.from); !valid) return reply_for(valid.error());
  if (auto valid = check_mailbox_name(cmd.to); !valid) return reply_for(valid.error());
  auto mailbox = ctx.store.find_mailbox(ctx.account.id, cmd.from);
  if (!mailbox) return reply_for(mailbox.error());
  if (mailbox->name == "INBOX") {
    Reply reply = rename_inbox(ctx, *mailbox, cmd.to);
    if (reply.condition == proto::Condition::ok) create_parents(ctx, cmd.to);
    return reply;
  }
  auto renamed = ctx.store.rename_mailbox(mailbox->id, cmd.to);
  if (!renamed) return reply_for(renamed.error());
  create_parents(ctx, cmd.to);
  return Reply::ok("RENAME completed");
}

}  // namespace postamt::imap::commands
