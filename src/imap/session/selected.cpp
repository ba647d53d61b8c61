#include "imap/session/selected.h"

#include <algorithm>
#include <unordered_set>

namespace postamt::imap {

std::optional<uint32_t> SelectedMailbox::sequence_of(Uid uid) const {
  auto it = std::lower_bound(uids_.begin(), uids_.end(), uid);
  if (it == uids_.end() || *it != uid) return std::nullopt;
  return static_cast<uint32_t>(it - uids_.begin()) + 1;
}

Result<std::vector<SelectedMailbox::Target>> SelectedMailbox::resolve(
    const proto::SequenceSet& set, proto::NumberKind kind) const {
  if (set.is_saved()) return Error{ErrorKind::invalid, "$ (SEARCHRES) is not supported"};
  std::vector<Target> out;
  if (kind == proto::NumberKind::sequence) {
    for (const auto& range : set.ranges())
      if ((range.first == proto::kStar || range.last == proto::kStar) && uids_.empty())
        return Error{ErrorKind::invalid, "Mailbox is empty"};
    for (const auto& interval : set.resolve(exists())) {
      if (interval.last > exists())
        return Error{ErrorKind::invalid, "Invalid message sequence number"};
      for (uint32_t seq = interval.first; seq <= interval.last; ++seq)
        out.push_back(Target{seq, uids_[seq - 1]});
    }
    return out;
  }
  Uid largest = uids_.empty() ? 0 : uids_.back();
  for (const auto& interval : set.resolve(largest)) {
    auto it = std::lower_bound(uids_.begin(), uids_.end(), interval.first);
    for (; it != uids_.end() && *it <= interval.last; ++it)
      out.push_back(Target{static_cast<uint32_t>(it - uids_.begin()) + 1, *it});
  }
  return out;
}

std::vector<proto::Response> SelectedMailbox::synchronize(
    const std::vector<store::MessageRecord>& current) {
  std::vector<proto::Response> out;
  std::unordered_set<Uid> present;
  present.reserve(current.size());
  for (const auto& m : current) present.insert(m.uid);

  // Walking upwards while erasing: after removing the message at index i, the next
  // one moves to index i, so the number reported is always index + 1 at that moment.
  std::vector<Uid> kept;
  kept.reserve(uids_.size());
  for (Uid uid : uids_) {
    if (present.count(uid)) {
      kept.push_back(uid);
    } else {
      out.emplace_back(proto::ExpungeData{static_cast<uint32_t>(kept.size()) + 1});
    }
  }
  Uid last = kept.empty() ? 0 : kept.back();
  bool arrived = false;
  for (const auto& m : current) {
    if (m.uid > last) {
      kept.push_back(m.uid);
      arrived = true;
    }
  }
  uids_ = std::move(kept);
  if (arrived) out.emplace_back(proto::ExistsData{exists()});
  return out;
}

}  // namespace postamt::imap
