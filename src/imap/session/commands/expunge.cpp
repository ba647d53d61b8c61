#include <algorithm>

#include "imap/session/commands/commands.h"
#include "imap/session/commands/common.h"
#include "imap/session/error_codes.h"

namespace postamt::imap::commands {

// RFC 3501 §6.4.3: removes \Deleted messages and reports each with EXPUNGE (together
// with anything other sessions removed or added meanwhile). UID EXPUNGE (RFC 4315 §2.1)
// limits the removal to the given uids. NO [READ-ONLY] in an EXAMINEd mailbox.
Reply expunge(CommandContext& ctx, const proto::ExpungeCmd& cmd) {
  SelectedMailbox& selected = *ctx.selected;
  if (selected.access() == Access::read_only)
    return Reply::no(proto::ResponseCode::simple(proto::ResponseCode::Kind::read_only),
                     "Mailbox is read-only");
  auto messages = ctx.store.list_messages(selected.id());
  if (!messages) return reply_for(messages.error());
  std::vector<Uid> uids = deleted_uids(*messages);
  if (cmd.uids) {
    Uid largest = messages->empty() ? 0 : messages->back().uid;
    auto intervals = cmd.uids->resolve(largest);
    std::erase_if(uids, [&](Uid uid) {
      return std::none_of(intervals.begin(), intervals.end(), [uid](const proto::UidInterval& i) {
        return uid >= i.first && uid <= i.last;
      });
    });
  }
  if (!uids.empty()) {
    auto removed = ctx.store.expunge(selected.id(), uids);
    if (!removed) return reply_for(removed.error());
    std::erase_if(*messages, [&](const store::MessageRecord& m) {
      return std::binary_search(uids.begin(), uids.end(), m.uid);
    });
  }
  Reply reply = Reply::ok("EXPUNGE completed");
  reply.untagged = selected.synchronize(*messages);
  return reply;
}

}  // namespace postamt::imap::commands
