#include "imap/session/commands/context_updates.h"

#include <algorithm>

#include "base/log.h"

namespace postamt::imap::commands {
namespace {

uint32_t number(const SelectedMailbox& selected, proto::NumberKind numbers, Uid uid) {
  if (numbers == proto::NumberKind::uid) return uid;
  return selected.sequence_of(uid).value_or(0);
}

// The members of a SORT context in its order: existing members keep their relative
// order (sort values never change), new ones go where the criteria put them.
Result<std::vector<Uid>> sorted(store::Store& store, blob::BlobStore& blobs,
                                SelectedMailbox& selected, const UpdateContext& c,
                                const std::vector<Uid>& members, uint64_t sort_cache) {
  std::vector<const store::MessageRecord*> records;
  for (Uid uid : members) records.push_back(selected.find(uid));
  selected.sort_cache().set_max_bytes(sort_cache);
  auto order =
      mail::sort_messages(store, blobs, selected.id(), records, c.criteria, &selected.sort_cache());
  if (!order) return order.error();
  std::vector<Uid> out;
  out.reserve(order->size());
  for (uint32_t i : *order) out.push_back(members[i]);
  return out;
}

}  // namespace

std::optional<proto::Response> register_context(CommandContext& ctx, const proto::SearchReturn& ret,
                                                proto::NumberKind numbers, const Matches& matches,
                                                const std::vector<Found>& result,
                                                std::vector<mail::SortCriterion> criteria) {
  if (!ret.update) return std::nullopt;
  SelectedMailbox& selected = *ctx.selected;
  if (selected.contexts().size() >= SelectedMailbox::kMaxUpdateContexts)
    return proto::StatusResponse{"", proto::Condition::no,
                                 proto::ResponseCode::with_words(
                                     proto::ResponseCode::Kind::noupdate, {std::string(ctx.tag)}),
                                 "Too many contexts"};
  UpdateContext c;
  c.tag = std::string(ctx.tag);
  c.numbers = numbers;
  c.program = matches.program;
  c.criteria = std::move(criteria);
  for (const Found& f : result) c.result.push_back(f.uid);
  selected.contexts().push_back(std::move(c));
  return std::nullopt;
}

std::vector<proto::Response> context_updates(store::Store& store, blob::BlobStore& blobs,
                                             SelectedMailbox& selected, uint64_t sort_cache) {
  std::vector<proto::Response> out;
  if (selected.contexts().empty()) return out;
  std::vector<Uid> dirty = selected.take_context_dirty();
  if (dirty.empty()) return out;
  for (UpdateContext& c : selected.contexts()) {
    std::vector<Uid> members = c.result;
    std::sort(members.begin(), members.end());
    std::vector<Uid> added, removed;
    for (Uid uid : dirty) {
      const store::MessageRecord* record = selected.find(uid);
      if (!record || selected.vanished(uid)) continue;
      auto matched = c.program->matches(*record, blobs);
      if (!matched) {
        log::warning("imap", "keeping a search context current failed: {}",
                     matched.error().message);
        continue;
      }
      bool member = std::binary_search(members.begin(), members.end(), uid);
      if (*matched && !member) added.push_back(uid);
      if (!*matched && member) removed.push_back(uid);
    }
    if (added.empty() && removed.empty()) continue;
    proto::ESearchData data;
    data.tag = c.tag;
    data.numbers = c.numbers;
    auto as_numbers = [&](const std::vector<Uid>& uids) {
      std::vector<uint32_t> n;
      for (Uid uid : uids) n.push_back(number(selected, c.numbers, uid));
      return proto::SequenceSet::from_numbers(std::move(n));
    };
    std::vector<Uid> kept;
    for (Uid uid : c.result)
      if (!std::binary_search(removed.begin(), removed.end(), uid)) kept.push_back(uid);
    if (c.criteria.empty()) {
      // §4.3.3/4.3.4: a SEARCH context takes position 0, in mailbox order.
      if (!removed.empty()) data.removed.push_back(proto::ContextChange{0, as_numbers(removed)});
      if (!added.empty()) data.added.push_back(proto::ContextChange{0, as_numbers(added)});
      std::vector<Uid> next = kept;
      next.insert(next.end(), added.begin(), added.end());
      std::sort(next.begin(), next.end());
      c.result = std::move(next);
    } else {
      // A SORT context: each removal at its position as the list shrinks, then each
      // addition at its final position, in ascending order (§4.3.3).
      std::vector<Uid> working = c.result;
      for (size_t i = 0; i < working.size();) {
        if (std::binary_search(removed.begin(), removed.end(), working[i])) {
          data.removed.push_back(proto::ContextChange{
              static_cast<uint32_t>(i) + 1,
              proto::SequenceSet::single(number(selected, c.numbers, working[i]))});
          working.erase(working.begin() + static_cast<std::ptrdiff_t>(i));
        } else {
          ++i;
        }
      }
      std::vector<Uid> next_members = kept;
      next_members.insert(next_members.end(), added.begin(), added.end());
      std::sort(next_members.begin(), next_members.end());
      auto order = sorted(store, blobs, selected, c, next_members, sort_cache);
      if (!order) {
        log::warning("imap", "keeping a sorted context current failed: {}", order.error().message);
        continue;
      }
      for (size_t i = 0; i < order->size(); ++i)
        if (std::binary_search(added.begin(), added.end(), (*order)[i]))
          data.added.push_back(proto::ContextChange{
              static_cast<uint32_t>(i) + 1,
              proto::SequenceSet::single(number(selected, c.numbers, (*order)[i]))});
      c.result = std::move(*order);
    }
    out.emplace_back(std::move(data));
  }
  return out;
}

}  // namespace postamt::imap::commands
