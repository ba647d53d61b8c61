#include "imap/session/selected.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "base/strings.h"
#include "imap/session/commands/fetch_items.h"
#include "model/flags.h"

namespace postamt::imap {
namespace {

bool contains(const std::vector<Uid>& sorted, Uid uid) {
  return std::binary_search(sorted.begin(), sorted.end(), uid);
}

void insert_sorted(std::vector<Uid>& sorted, Uid uid) {
  auto it = std::lower_bound(sorted.begin(), sorted.end(), uid);
  if (it == sorted.end() || *it != uid) sorted.insert(it, uid);
}

}  // namespace

SelectedMailbox::SelectedMailbox(MailboxId id, UidValidity uid_validity, Access access,
                                 std::vector<store::MessageRecord> messages, ModSeq known_modseq)
    : changes_(id, known_modseq),
      uid_validity_(uid_validity),
      access_(access),
      view_(std::move(messages)) {}

size_t SelectedMailbox::index_of(Uid uid) const {
  auto it = std::lower_bound(view_.begin(), view_.end(), uid,
                             [](const store::MessageRecord& m, Uid u) { return m.uid < u; });
  if (it == view_.end() || it->uid != uid) return view_.size();
  return static_cast<size_t>(it - view_.begin());
}

const store::MessageRecord* SelectedMailbox::find(Uid uid) const {
  size_t i = index_of(uid);
  return i == view_.size() ? nullptr : &view_[i];
}

bool SelectedMailbox::vanished(Uid uid) const {
  return contains(vanished_, uid);
}

std::optional<uint32_t> SelectedMailbox::sequence_of(Uid uid) const {
  size_t i = index_of(uid);
  if (i == view_.size()) return std::nullopt;
  return static_cast<uint32_t>(i) + 1;
}

Result<std::vector<SelectedMailbox::Target>> SelectedMailbox::resolve(const proto::SequenceSet& set,
                                                                      proto::NumberKind kind,
                                                                      Beyond beyond) const {
  std::vector<Target> out;
  if (set.is_saved()) {
    // RFC 5182 §2.1: messages of the saved result that were expunged since simply drop out.
    for (Uid uid : saved_)
      if (auto seq = sequence_of(uid)) out.push_back(Target{*seq, uid});
    return out;
  }
  if (kind == proto::NumberKind::sequence) {
    if (beyond == Beyond::invalid) {
      for (const auto& range : set.ranges())
        if ((range.first == proto::kStar || range.last == proto::kStar) && view_.empty())
          return Error{ErrorKind::invalid, "Mailbox is empty"};
    }
    for (const auto& interval : set.resolve(exists())) {
      if (interval.last > exists() && beyond == Beyond::invalid)
        return Error{ErrorKind::invalid, "Invalid message sequence number"};
      // '*' in an empty mailbox is 0 (only reached with Beyond::skip).
      for (uint32_t seq = std::max(interval.first, 1u); seq <= std::min(interval.last, exists());
           ++seq)
        out.push_back(Target{seq, view_[seq - 1].uid});
    }
    return out;
  }
  Uid largest = view_.empty() ? 0 : view_.back().uid;
  for (const auto& interval : set.resolve(largest)) {
    auto it = std::lower_bound(view_.begin(), view_.end(), interval.first,
                               [](const store::MessageRecord& m, Uid u) { return m.uid < u; });
    for (; it != view_.end() && it->uid <= interval.last; ++it)
      out.push_back(Target{static_cast<uint32_t>(it - view_.begin()) + 1, it->uid});
  }
  return out;
}

void SelectedMailbox::update(const std::vector<store::MessageRecord>& changed) {
  for (const auto& m : changed) {
    size_t i = index_of(m.uid);
    if (i == view_.size()) continue;
    view_[i] = m;
    if (!contexts_.empty()) insert_sorted(context_dirty_, m.uid);
  }
}

bool SelectedMailbox::has_context(std::string_view tag) const {
  return std::any_of(contexts_.begin(), contexts_.end(),
                     [tag](const UpdateContext& c) { return c.tag == tag; });
}

void SelectedMailbox::cancel_contexts(const std::vector<std::string>& tags) {
  std::erase_if(contexts_, [&tags](const UpdateContext& c) {
    return std::find(tags.begin(), tags.end(), c.tag) != tags.end();
  });
  if (contexts_.empty()) context_dirty_.clear();
}

std::vector<Uid> SelectedMailbox::take_context_dirty() {
  return std::exchange(context_dirty_, {});
}

namespace {

// RFC 5267 §4.3.4: REMOVEFROM for the members of `c` that are about to be expunged, sent
// before the EXPUNGE responses so that sequence numbers still hold. A SEARCH context
// names them at position 0; a SORT context one by one at their positions.
std::optional<proto::ESearchData> removals(UpdateContext& c, const std::vector<Uid>& going,
                                           const std::function<uint32_t(Uid)>& number) {
  proto::ESearchData data;
  data.tag = c.tag;
  data.numbers = c.numbers;
  if (c.criteria.empty()) {
    std::vector<uint32_t> numbers;
    for (Uid uid : c.result)
      if (std::binary_search(going.begin(), going.end(), uid)) numbers.push_back(number(uid));
    if (numbers.empty()) return std::nullopt;
    data.removed.push_back(
        proto::ContextChange{0, proto::SequenceSet::from_numbers(std::move(numbers))});
  } else {
    std::vector<Uid> kept;
    for (Uid uid : c.result) {
      if (std::binary_search(going.begin(), going.end(), uid))
        data.removed.push_back(proto::ContextChange{static_cast<uint32_t>(kept.size()) + 1,
                                                    proto::SequenceSet::single(number(uid))});
      else
        kept.push_back(uid);
    }
    if (data.removed.empty()) return std::nullopt;
  }
  std::erase_if(c.result,
                [&going](Uid uid) { return std::binary_search(going.begin(), going.end(), uid); });
  return data;
}

}  // namespace

Result<void> SelectedMailbox::refresh(store::Store& store) {
  auto polled = changes_.poll(store);
  if (!polled && polled.error().kind == ErrorKind::not_found) {
    gone_ = true;
    return {};
  }
  POSTAMT_TRY(polled);
  if (!*polled) return {};
  store::MailboxChanges* changes = &**polled;
  Uid last_known = !new_.empty() ? new_.back().uid : view_.empty() ? 0 : view_.back().uid;
  for (auto& m : changes->changed) {
    size_t i = index_of(m.uid);
    if (i != view_.size()) {
      store::MessageRecord& seen = view_[i];
      if (seen.modseq >= m.modseq || vanished(m.uid)) continue;
      bool flags_differ = seen.flags != m.flags || seen.keywords != m.keywords;
      seen = std::move(m);
      if (flags_differ) insert_sorted(flags_changed_, seen.uid);
      continue;
    }
    auto waiting = std::lower_bound(new_.begin(), new_.end(), m.uid,
                                    [](const store::MessageRecord& r, Uid u) { return r.uid < u; });
    if (waiting != new_.end() && waiting->uid == m.uid) {
      *waiting = std::move(m);
    } else if (m.uid > last_known) {
      new_.insert(waiting, std::move(m));
    }
    // A uid below the view's largest that the view never had cannot appear: uids only
    // grow (RFC 9051 §2.3.1.1), and the view was complete when it was listed.
  }
  std::vector<Uid> gone_before_told;  // ascending, like changes->expunged
  for (const auto& e : changes->expunged) {
    if (index_of(e.uid) != view_.size()) {
      insert_sorted(vanished_, e.uid);
      held_expunge_modseq_ = std::min(held_expunge_modseq_.value_or(e.modseq), e.modseq);
    } else
      gone_before_told.push_back(e.uid);
  }
  if (!gone_before_told.empty())
    std::erase_if(new_,
                  [&](const store::MessageRecord& r) { return contains(gone_before_told, r.uid); });
  // \Recent of the new messages: claimed in a read-write session, only read otherwise.
  if (recent_tracked_ && !new_.empty() && new_.back().uid > recent_checked_to_) {
    Uid last = new_.back().uid;
    Uid first = 0;
    if (access_ == Access::read_write) {
      auto claimed = store.claim_recent(id(), last);
      POSTAMT_TRY(claimed);
      first = *claimed;
    } else {
      auto mailbox = store.get_mailbox(id());
      POSTAMT_TRY(mailbox);
      first = mailbox->first_recent_uid;
    }
    for (const auto& m : new_)
      if (m.uid > recent_checked_to_ && m.uid >= first) insert_sorted(recent_, m.uid);
    recent_checked_to_ = last;
  }
  return {};
}

void SelectedMailbox::track_recent(std::vector<Uid> recent) {
  recent_tracked_ = true;
  recent_ = std::move(recent);
  std::sort(recent_.begin(), recent_.end());
  recent_checked_to_ = view_.empty() ? 0 : view_.back().uid;
}

bool SelectedMailbox::is_recent(Uid uid) const {
  return recent_tracked_ && contains(recent_, uid);
}

std::vector<std::string> SelectedMailbox::flags_of(const store::MessageRecord& message) const {
  return commands::flag_list(message.flags, message.keywords,
                             is_recent(message.uid) ? commands::Recent::yes : commands::Recent::no);
}

std::vector<proto::Response> SelectedMailbox::announce(Expunges expunges, ModSeqs modseqs,
                                                       ExpungeForm form) {
  std::vector<proto::Response> out;
  for (Uid uid : flags_changed_) {
    if (vanished(uid)) continue;
    if (!contexts_.empty()) insert_sorted(context_dirty_, uid);
    size_t i = index_of(uid);
    if (i == view_.size()) continue;
    const store::MessageRecord& m = view_[i];
    proto::FetchData data;
    data.seq = static_cast<uint32_t>(i) + 1;
    data.items.emplace_back(proto::FetchFlags{flags_of(m)});
    data.items.emplace_back(proto::FetchUid{m.uid});
    if (modseqs == ModSeqs::include) data.items.emplace_back(proto::FetchModSeq{m.modseq});
    out.emplace_back(std::move(data));
  }
  flags_changed_.clear();
  if (expunges == Expunges::tell && !vanished_.empty()) {
    for (UpdateContext& c : contexts_) {
      std::function<uint32_t(Uid)> as_number = [](Uid uid) { return uid; };
      if (c.numbers == proto::NumberKind::sequence)
        as_number = [this](Uid uid) { return static_cast<uint32_t>(index_of(uid)) + 1; };
      if (auto data = removals(c, vanished_, as_number)) out.emplace_back(std::move(*data));
    }
    // Walking upwards while removing: after the message at index i goes, the next one
    // moves to index i, so each number is valid after the previous removal (RFC 3501 §7.4.1).
    // A VANISHED response names only uids the client was told of (RFC 7162 §3.2.10.2):
    // vanished_ holds only uids of the view.
    std::vector<store::MessageRecord> kept;
    kept.reserve(view_.size());
    for (auto& m : view_) {
      if (!contains(vanished_, m.uid))
        kept.push_back(std::move(m));
      else if (form == ExpungeForm::numbers)
        out.emplace_back(proto::ExpungeData{static_cast<uint32_t>(kept.size()) + 1});
    }
    if (form == ExpungeForm::vanished)
      out.emplace_back(
          proto::VanishedData{proto::Earlier::no, proto::SequenceSet::from_numbers(vanished_)});
    view_ = std::move(kept);
    std::erase_if(recent_, [this](Uid uid) { return contains(vanished_, uid); });
    vanished_.clear();
    held_expunge_modseq_.reset();
  }
  // EXISTS may be sent at any time (RFC 3501 §7.3.1); new messages join the view here.
  if (!new_.empty()) {
    for (auto& m : new_) {
      if (!contexts_.empty()) context_dirty_.push_back(m.uid);  // above all others: sorted
      view_.push_back(std::move(m));
    }
    new_.clear();
    out.emplace_back(proto::ExistsData{exists()});
    // RFC 3501 §7.3.2: the RECENT count goes with it (IMAP4rev1 only).
    if (recent_tracked_) out.emplace_back(proto::RecentData{static_cast<uint32_t>(recent_.size())});
  }
  return out;
}

std::vector<std::string> SelectedMailbox::flag_list(const std::vector<std::string>& keywords) {
  std::vector<std::string> flags;
  for (auto name : flag_names(SystemFlags::from_bits(SystemFlags::kAllBits)))
    flags.emplace_back(name);
  flags.emplace_back(kMdnSentKeyword);
  for (const auto& k : keywords)
    if (!iequals(k, kMdnSentKeyword)) flags.push_back(k);
  return flags;
}

void SelectedMailbox::tell_new_keywords(std::vector<proto::Response>& responses) {
  auto told = [this](std::string_view keyword) {
    if (iequals(keyword, kMdnSentKeyword)) return true;
    for (const auto& k : keywords_told_)
      if (iequals(k, keyword)) return true;
    return false;
  };
  for (size_t i = 0; i < responses.size(); ++i) {
    const auto* fetch = std::get_if<proto::FetchData>(&responses[i]);
    if (!fetch) continue;
    size_t before = keywords_told_.size();
    for (const auto& item : fetch->items) {
      const auto* flags = std::get_if<proto::FetchFlags>(&item);
      if (!flags) continue;
      for (const auto& f : flags->flags)
        if (!f.empty() && f.front() != '\\' && !told(f)) keywords_told_.push_back(f);
    }
    if (keywords_told_.size() == before) continue;
    std::vector<std::string> list = flag_list(keywords_told_);
    std::vector<proto::Response> tell;
    if (access_ == Access::read_write) {
      std::vector<std::string> permanent = list;
      permanent.emplace_back("\\*");  // RFC 3501 §7.1: new keywords may be created
      tell.emplace_back(proto::StatusResponse{
          "", proto::Condition::ok,
          proto::ResponseCode::with_words(proto::ResponseCode::Kind::permanent_flags,
                                          std::move(permanent)),
          "Flags permitted"});
    }
    tell.insert(tell.begin(), proto::FlagsData{std::move(list)});
    responses.insert(responses.begin() + static_cast<std::ptrdiff_t>(i),
                     std::make_move_iterator(tell.begin()), std::make_move_iterator(tell.end()));
    i += tell.size();
  }
}

}  // namespace postamt::imap
