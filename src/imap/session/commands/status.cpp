#include <algorithm>

#include "imap/session/commands/commands.h"
#include "imap/session/commands/status_data.h"
#include "imap/session/error_codes.h"
#include "mail/mailboxes.h"
#include "model/object_ids.h"

namespace postamt::imap::commands {

Result<proto::StatusData> status_data(store::Store& store, const store::Mailbox& mailbox,
                                      const std::vector<proto::StatusItem>& items,
                                      uint64_t append_limit) {
  uint64_t deleted = 0, deleted_size = 0, size = 0, recent = 0;
  bool need_messages = false;
  for (auto item : items)
    if (item == proto::StatusItem::deleted || item == proto::StatusItem::deleted_storage ||
        item == proto::StatusItem::size ||
        (item == proto::StatusItem::recent && mailbox.first_recent_uid < mailbox.uid_next))
      need_messages = true;
  if (need_messages) {
    auto messages = store.list_messages(mailbox.id);
    if (!messages) return messages.error();
    for (const auto& m : *messages) {
      if (m.flags.has(SystemFlag::deleted)) {
        ++deleted;
        deleted_size += m.size;
      }
      // RFC 3501 §6.3.10: messages no session has seen as \Recent yet.
      if (m.uid >= mailbox.first_recent_uid) ++recent;
      size += m.size;
    }
  }
  proto::StatusData data;
  data.mailbox = mailbox.name;
  for (auto item : items) {
    uint64_t value = 0;
    switch (item) {
      case proto::StatusItem::messages:
        value = mailbox.messages;
        break;
      case proto::StatusItem::recent:
        value = recent;
        break;
      case proto::StatusItem::uid_next:
        value = mailbox.uid_next;
        break;
      case proto::StatusItem::uid_validity:
        value = mailbox.uid_validity;
        break;
      case proto::StatusItem::unseen:
        value = mailbox.unseen;
        break;
      case proto::StatusItem::deleted:
        value = deleted;
        break;
      case proto::StatusItem::size:
        value = size;
        break;
      case proto::StatusItem::highest_mod_seq:
        value = mailbox.highest_modseq;
        break;
      case proto::StatusItem::append_limit:
        value = append_limit;
        break;
      // RFC 9208 §4.1.4: what an EXPUNGE would free, in the STORAGE resource's units of
      // 1024 octets (§5.1), rounded up as GETQUOTA rounds usage.
      case proto::StatusItem::deleted_storage:
        value = (deleted_size + 1023) / 1024;
        break;
      case proto::StatusItem::mailbox_id:  // RFC 8474 §4.3
        data.mailbox_id = mailbox_object_id(mailbox.uid_validity);
        break;
    }
    data.items.emplace_back(item, value);
  }
  return data;
}

// RFC 3501 §6.3.10, RFC 9051 §6.3.11 (DELETED, SIZE), RFC 7162 §3.1.4 (HIGHESTMODSEQ).
Reply status(CommandContext& ctx, const proto::StatusCmd& cmd) {
  auto name = mail::check_mailbox_name(cmd.mailbox);
  if (!name) return reply_for(name.error());
  auto mailbox = ctx.store.find_mailbox(ctx.account.id, *name);
  if (!mailbox) return reply_for(mailbox.error());
  auto data = status_data(ctx.store, *mailbox, cmd.items, ctx.append_limit);
  if (!data) return reply_for(data.error());
  // RFC 7162 §3.1: STATUS (HIGHESTMODSEQ) is a CONDSTORE enabling command.
  if (std::find(cmd.items.begin(), cmd.items.end(), proto::StatusItem::highest_mod_seq) !=
      cmd.items.end())
    ctx.enabled.condstore = true;
  Reply reply = Reply::ok("STATUS completed");
  reply.untagged.emplace_back(std::move(*data));
  return reply;
}

}  // namespace postamt::imap::commands
