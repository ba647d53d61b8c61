#include "imap/session/commands/qresync.h"

#include <algorithm>

namespace postamt::imap::commands {
namespace {

bool in(const std::vector<proto::UidInterval>& intervals, Uid uid) {
  auto it = std::lower_bound(intervals.begin(), intervals.end(), uid,
                             [](const proto::UidInterval& i, Uid u) { return i.last < u; });
  return it != intervals.end() && it->first <= uid;
}

// The numbers a set names, in the order written (seq-match-data is ascending, RFC 7162
// §3.2.5.2), each range expanded; stops after `limit` numbers.
std::vector<uint32_t> listed(const proto::SequenceSet& set, size_t limit) {
  std::vector<uint32_t> out;
  for (const auto& r : set.ranges()) {
    uint32_t lo = std::min(r.first, r.last), hi = std::max(r.first, r.last);
    for (uint64_t n = lo; n <= hi && out.size() < limit; ++n)
      out.push_back(static_cast<uint32_t>(n));
    if (out.size() >= limit) break;
  }
  return out;
}

}  // namespace

Result<std::optional<proto::VanishedData>> vanished_earlier(
    store::Store& store, const SelectedMailbox& selected, ModSeq since,
    const std::vector<proto::UidInterval>& wanted, Uid from) {
  auto changes = store.changes_since(selected.id(), since);
  if (!changes) return changes.error();
  std::vector<uint32_t> uids;
  for (const auto& e : changes->expunged)
    if (e.uid >= from && in(wanted, e.uid) && !selected.find(e.uid)) uids.push_back(e.uid);
  if (uids.empty()) return std::optional<proto::VanishedData>{};
  return std::optional<proto::VanishedData>{
      proto::VanishedData{proto::Earlier::yes, proto::SequenceSet::from_numbers(std::move(uids))}};
}

std::vector<proto::Response> changed_since(const SelectedMailbox& selected, ModSeq since,
                                           const std::vector<proto::UidInterval>& wanted) {
  std::vector<proto::Response> out;
  const auto& view = selected.messages();
  for (size_t i = 0; i < view.size(); ++i) {
    const store::MessageRecord& m = view[i];
    if (m.modseq <= since || !in(wanted, m.uid)) continue;
    proto::FetchData data;
    data.seq = static_cast<uint32_t>(i) + 1;
    data.items.emplace_back(proto::FetchUid{m.uid});
    data.items.emplace_back(proto::FetchFlags{selected.flags_of(m)});
    data.items.emplace_back(proto::FetchModSeq{m.modseq});
    out.emplace_back(std::move(data));
  }
  return out;
}

Uid first_unmatched_uid(const SelectedMailbox& selected, const proto::QresyncParams& params) {
  if (!params.known_sequence_set || !params.known_uid_set) return 1;
  // No pair beyond the view's size can match, so that many are enough to look at.
  size_t limit = static_cast<size_t>(selected.exists()) + 1;
  auto numbers = listed(*params.known_sequence_set, limit);
  auto uids = listed(*params.known_uid_set, limit);
  Uid from = 1;
  for (size_t i = 0; i < numbers.size() && i < uids.size(); ++i) {
    uint32_t seq = numbers[i];
    if (seq == 0 || seq > selected.exists() || selected.messages()[seq - 1].uid != uids[i]) break;
    from = uids[i] + 1;
  }
  return from;
}

}  // namespace postamt::imap::commands
