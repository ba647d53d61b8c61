#include <algorithm>

#include "imap/session/commands/commands.h"
#include "imap/session/commands/context_updates.h"
#include "imap/session/commands/matching.h"
#include "imap/session/error_codes.h"
#include "mail/sort.h"

namespace postamt::imap::commands {
namespace {

mail::SortKey key_of(proto::SortKeyName name) {
  switch (name) {
    case proto::SortKeyName::arrival:
      return mail::SortKey::arrival;
    case proto::SortKeyName::cc:
      return mail::SortKey::cc;
    case proto::SortKeyName::date:
      return mail::SortKey::date;
    case proto::SortKeyName::from:
      return mail::SortKey::from;
    case proto::SortKeyName::size:
      return mail::SortKey::size;
    case proto::SortKeyName::subject:
      return mail::SortKey::subject;
    case proto::SortKeyName::to:
      return mail::SortKey::to;
    case proto::SortKeyName::display_from:
      return mail::SortKey::display_from;
    case proto::SortKeyName::display_to:
      return mail::SortKey::display_to;
  }
  return mail::SortKey::arrival;
}

}  // namespace

Reply sort(CommandContext& ctx, const proto::SortCmd& cmd) {
  SelectedMailbox& selected = *ctx.selected;
  const proto::SearchReturn& ret = cmd.returns;
  auto run = find_matches(ctx, cmd.key, ret);
  if (auto* failed = std::get_if<Reply>(&run)) return std::move(*failed);
  const Matches& matches = std::get<Matches>(run);

  std::vector<const store::MessageRecord*> records;
  records.reserve(matches.found.size());
  for (const Found& f : matches.found) records.push_back(f.record);
  std::vector<mail::SortCriterion> criteria;
  for (const proto::SortCriterion& c : cmd.criteria)
    criteria.push_back(mail::SortCriterion{key_of(c.key), c.reverse});
  selected.sort_cache().set_max_bytes(ctx.sort_cache);
  auto order = mail::sort_messages(ctx.store, ctx.blobs, selected.id(), records, criteria,
                                   &selected.sort_cache());
  if (!order) {
    if (ret.save) selected.save_result({});
    return reply_for(order.error());
  }
  std::vector<Found> sorted;
  sorted.reserve(order->size());
  for (uint32_t i : *order) sorted.push_back(matches.found[i]);

  Reply reply;
  reply.text = cmd.numbers == proto::NumberKind::uid ? "UID SORT completed" : "SORT completed";
  if (!ret.requested) {
    proto::SortData data;
    for (const Found& f : sorted) data.numbers.push_back(number_of(f, cmd.numbers));
    data.mod_seq = highest_modseq(matches, sorted);
    reply.untagged.emplace_back(std::move(data));
    return reply;
  }
  // RFC 5267 §3.1: MIN and MAX are the first and last in sorted order.
  if (ret.save) {
    std::vector<Uid> uids;
    for (const Found& f : reported(sorted, ret)) uids.push_back(f.uid);
    std::sort(uids.begin(), uids.end());
    selected.save_result(std::move(uids));
  }
  if (ret.save && !ret.min && !ret.max && !ret.all && !ret.count && !ret.partial && !ret.update &&
      !ret.context)
    return reply;
  reply.untagged.emplace_back(esearch_data(ctx, cmd.numbers, ret, matches, sorted));
  if (auto refused = register_context(ctx, ret, cmd.numbers, matches, sorted, criteria))
    reply.untagged.push_back(std::move(*refused));
  return reply;
}

}  // namespace postamt::imap::commands
