#include <algorithm>

#include "base/strings.h"
#include "imap/session/commands/commands.h"
#include "imap/session/commands/common.h"
#include "imap/session/commands/fetch_items.h"
#include "imap/session/error_codes.h"
#include "mail/flags.h"

namespace postamt::imap::commands {

Reply store(CommandContext& ctx, const proto::StoreCmd& cmd) {
  SelectedMailbox& selected = *ctx.selected;
  if (selected.access() == Access::read_only)
    return Reply::no(proto::ResponseCode::simple(proto::ResponseCode::Kind::read_only),
                     "Mailbox is read-only");
  SystemFlags flags;
  Keywords keywords;
  if (auto refused = parse_flag_list(cmd.flags, flags, keywords)) return std::move(*refused);
  auto targets = selected.resolve(cmd.set, cmd.numbers);
  if (!targets) return Reply::bad(targets.error().message);
  // RFC 7162 §3.1: UNCHANGEDSINCE is a CONDSTORE enabling command.
  if (cmd.unchanged_since) ctx.enabled.condstore = true;

  FlagUpdate update;
  update.operation = cmd.mode == proto::StoreMode::add      ? FlagOperation::add
                     : cmd.mode == proto::StoreMode::remove ? FlagOperation::remove
                                                            : FlagOperation::replace;
  update.flags = flags;
  update.keywords = keywords;
  update.unchanged_since = cmd.unchanged_since;
  // $MDNSent is a one-way latch (RFC 3503, docs/read-receipts.md) that the store applies
  // in the same transaction (model/flags.h): -FLAGS and FLAGS without it leave it set.
  std::vector<const store::MessageRecord*> messages;
  for (const auto& t : *targets)
    if (!selected.vanished(t.uid)) messages.push_back(selected.find(t.uid));
  std::vector<Uid> modified;
  if (!messages.empty()) {
    auto result = mail::update_flags(ctx.store, selected.id(), messages, update);
    if (!result) return reply_for(result.error());
    selected.update(result->changed);
    modified = std::move(result->modified);
  }
  std::sort(modified.begin(), modified.end());

  Reply reply;
  const bool uid_command = cmd.numbers == proto::NumberKind::uid;
  std::vector<uint32_t> modified_numbers;
  for (const auto& t : *targets) {
    if (selected.vanished(t.uid)) continue;
    const store::MessageRecord* record = selected.find(t.uid);
    bool failed = std::binary_search(modified.begin(), modified.end(), t.uid);
    if (failed) {
      modified_numbers.push_back(uid_command ? t.uid : t.seq);
      continue;
    }
    if (cmd.silent == proto::Silent::yes && !cmd.unchanged_since) continue;
    proto::FetchData data;
    data.seq = t.seq;
    // RFC 7162 §3.1.3: with UNCHANGEDSINCE, .SILENT still reports the new MODSEQ.
    if (cmd.silent == proto::Silent::no)
      data.items.emplace_back(proto::FetchFlags{selected.flags_of(*record)});
    if (uid_command) data.items.emplace_back(proto::FetchUid{t.uid});
    // RFC 7162 §3.1.3: once CONDSTORE is enabled, flag-change FETCH responses carry MODSEQ.
    if (ctx.enabled.condstore) data.items.emplace_back(proto::FetchModSeq{record->modseq});
    reply.untagged.emplace_back(std::move(data));
  }
  if (!modified_numbers.empty())
    reply.code = proto::ResponseCode::modified(
        proto::SequenceSet::from_numbers(std::move(modified_numbers)));
  reply.text = uid_command ? "UID STORE completed" : "STORE completed";
  return reply;
}

}  // namespace postamt::imap::commands
