#include <string>
#include <vector>

#include "imap/session/commands/commands.h"
#include "imap/session/error_codes.h"
#include "mail/mailboxes.h"
#include "mail/messages.h"

namespace postamt::imap::commands {

using proto::ResponseCode;
using Kind = proto::ResponseCode::Kind;

Reply copy(CommandContext& ctx, const proto::CopyCmd& cmd) {
  SelectedMailbox& selected = *ctx.selected;
  const bool move = cmd.action == proto::Transfer::move;
  std::string verb =
      std::string(cmd.numbers == proto::NumberKind::uid ? "UID " : "") + (move ? "MOVE" : "COPY");
  // RFC 6851 §3.3: MOVE expunges from the source, which an EXAMINEd mailbox forbids.
  if (move && selected.access() == Access::read_only)
    return Reply::no(ResponseCode::simple(Kind::read_only), "Mailbox is read-only");
  auto name = mail::check_mailbox_name(cmd.mailbox);
  if (!name) return reply_for(name.error());
  auto targets = selected.resolve(cmd.set, cmd.numbers);
  if (!targets) return Reply::bad(targets.error().message);

  // RFC 3501 §6.4.7: a missing destination is answered with TRYCREATE.
  auto destination = ctx.store.find_mailbox(ctx.account.id, *name);
  if (!destination) {
    if (destination.error().kind == ErrorKind::not_found)
      return Reply::no(ResponseCode::simple(Kind::trycreate), "Mailbox does not exist");
    return reply_for(destination.error());
  }
  std::vector<Uid> uids;
  for (const auto& t : *targets)
    if (!selected.vanished(t.uid)) uids.push_back(t.uid);
  // RFC 4315 §3: nothing copied, so there is no COPYUID to give.
  if (uids.empty()) return Reply::ok(verb + " completed");

  auto done =
      mail::transfer_messages(ctx.store, ctx.account.id, selected.id(), uids, destination->id,
                              move ? mail::Transfer::move : mail::Transfer::copy);
  if (!done) {
    if (done.error().kind == ErrorKind::not_found)
      return Reply::no(ResponseCode::simple(Kind::trycreate), "Mailbox does not exist");
    return reply_for(done.error());
  }
  std::vector<uint32_t> from, to;
  for (const auto& m : done->mapping) {
    from.push_back(m.source);
    to.push_back(m.destination);
  }
  // Both lists ascend (the store assigns new uids in source-uid order), so the two
  // compressed sets still pair up element by element (RFC 4315 §3).
  ResponseCode code = ResponseCode::copy_uid(done->destination_uid_validity,
                                             proto::SequenceSet::from_numbers(std::move(from)),
                                             proto::SequenceSet::from_numbers(std::move(to)));
  if (!move) return Reply::ok(std::move(code), verb + " completed");
  // RFC 6851 §4.3: COPYUID comes in an untagged OK before the EXPUNGE responses, which
  // the dispatcher's refresh adds after this reply's untagged responses.
  Reply reply = Reply::ok(verb + " completed");
  reply.untagged.emplace_back(
      proto::StatusResponse{"", proto::Condition::ok, std::move(code), "Moved"});
  return reply;
}

}  // namespace postamt::imap::commands
