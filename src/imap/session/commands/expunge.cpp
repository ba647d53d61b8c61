#include <algorithm>
#include <iterator>

#include "imap/session/commands/commands.h"
#include "imap/session/commands/common.h"
#include "imap/session/error_codes.h"
#include "mail/messages.h"

namespace postamt::imap::commands {

// RFC 3501 §6.4.3: removes \Deleted messages; the dispatcher's refresh after the
// command reports each with EXPUNGE (together with anything other sessions removed or
// added meanwhile). UID EXPUNGE (RFC 4315 §2.1) limits the removal to the given uids.
// NO [READ-ONLY] in an EXAMINEd mailbox. The view was refreshed just before, so its
// flags are current.
Reply expunge(CommandContext& ctx, const proto::ExpungeCmd& cmd) {
  SelectedMailbox& selected = *ctx.selected;
  if (selected.access() == Access::read_only)
    return Reply::no(proto::ResponseCode::simple(proto::ResponseCode::Kind::read_only),
                     "Mailbox is read-only");
  std::vector<Uid> uids = deleted_uids(selected.messages());
  std::erase_if(uids, [&](Uid uid) { return selected.vanished(uid); });
  if (cmd.uids) {
    // resolve() also handles "$" (RFC 5182); both lists are ascending.
    auto named = selected.resolve(*cmd.uids, proto::NumberKind::uid);
    if (!named) return Reply::bad(named.error().message);
    std::vector<Uid> wanted;
    wanted.reserve(named->size());
    for (const auto& t : *named) wanted.push_back(t.uid);
    std::vector<Uid> both;
    std::set_intersection(uids.begin(), uids.end(), wanted.begin(), wanted.end(),
                          std::back_inserter(both));
    uids = std::move(both);
  }
  auto removed =
      mail::expunge_messages(ctx.store, selected.id(), uids, store::ExpungeScope::deleted_only);
  if (!removed) return reply_for(removed.error());
  return Reply::ok(cmd.uids ? "UID EXPUNGE completed" : "EXPUNGE completed");
}

}  // namespace postamt::imap::commands
