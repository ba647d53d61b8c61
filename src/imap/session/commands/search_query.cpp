#include "imap/session/commands/search_query.h"

#include <algorithm>
#include <chrono>

#include "mail/search.h"
#include "model/object_ids.h"

namespace postamt::imap::commands {
namespace {

using K = proto::SearchKey::Kind;
using Q = SearchQuery::Kind;

constexpr int64_t kSecondsPerDay = 86400;

int64_t day_number(const proto::Date& date) {
  std::chrono::year_month_day ymd{std::chrono::year(date.year),
                                  std::chrono::month(static_cast<unsigned>(date.month)),
                                  std::chrono::day(static_cast<unsigned>(date.day))};
  return std::chrono::sys_days(ymd).time_since_epoch().count();
}

SearchQuery leaf(Q kind) {
  SearchQuery q;
  q.kind = kind;
  return q;
}

SearchQuery flag(SystemFlag f, bool set) {
  SearchQuery q = leaf(set ? Q::has_flag : Q::lacks_flag);
  q.flag = f;
  return q;
}

// BEFORE d: before day d; ON d: within it; SINCE d: from it on (RFC 9051 §6.4.4).
SearchQuery days(Q kind, K imap, int64_t day, int64_t unit) {
  SearchQuery q = leaf(kind);
  if (imap == K::before || imap == K::sent_before || imap == K::saved_before) {
    q.until = day * unit;
  } else if (imap == K::on || imap == K::sent_on || imap == K::saved_on) {
    q.from = day * unit;
    q.until = (day + 1) * unit;
  } else {
    q.from = day * unit;
  }
  return q;
}

void count(const proto::SearchKey& key, size_t& keys, size_t& sets) {
  ++keys;
  if (key.kind == K::sequence_set || key.kind == K::uid) ++sets;
  for (const auto& child : key.children) count(child, keys, sets);
}

Result<SearchQuery> translate(const proto::SearchKey& key, const SelectedMailbox& selected) {
  SearchQuery q;
  switch (key.kind) {
    case K::and_:
      q = leaf(Q::all_of);
      break;
    case K::or_:
      q = leaf(Q::any_of);
      break;
    case K::not_:
      q = leaf(Q::not_);
      break;
    case K::all:
      return leaf(Q::all_of);
    // RFC 3501 §6.4.4: RECENT is \Recent (kept by the selected mailbox, selected.h), OLD
    // its negation, NEW recent and unseen.
    case K::recent:
    case K::old:
    case K::new_: {
      SearchQuery recent = leaf(Q::uid_in);
      recent.uids = selected.recent_uids();
      if (key.kind == K::recent) return recent;
      q = leaf(key.kind == K::old ? Q::not_ : Q::all_of);
      q.children.push_back(std::move(recent));
      if (key.kind == K::new_) q.children.push_back(flag(SystemFlag::seen, false));
      return q;
    }
    case K::answered:
      return flag(SystemFlag::answered, true);
    case K::deleted:
      return flag(SystemFlag::deleted, true);
    case K::draft:
      return flag(SystemFlag::draft, true);
    case K::flagged:
      return flag(SystemFlag::flagged, true);
    case K::seen:
      return flag(SystemFlag::seen, true);
    case K::unanswered:
      return flag(SystemFlag::answered, false);
    case K::undeleted:
      return flag(SystemFlag::deleted, false);
    case K::undraft:
      return flag(SystemFlag::draft, false);
    case K::unflagged:
      return flag(SystemFlag::flagged, false);
    case K::unseen:
      return flag(SystemFlag::seen, false);
    case K::keyword:
    case K::unkeyword:
      q = leaf(key.kind == K::keyword ? Q::has_keyword : Q::lacks_keyword);
      q.text = key.text;
      return q;
    case K::before:
    case K::on:
    case K::since:
      return days(Q::received, key.kind, day_number(key.date), kSecondsPerDay);
    case K::sent_before:
    case K::sent_on:
    case K::sent_since:
      return days(Q::sent_day, key.kind, day_number(key.date), 1);
    // RFC 8514 §4.3; every mailbox keeps save dates, so SAVEDATESUPPORTED is ALL.
    case K::saved_before:
    case K::saved_on:
    case K::saved_since:
      return days(Q::saved, key.kind, day_number(key.date), kSecondsPerDay);
    case K::savedate_supported:
      return leaf(Q::all_of);
    // RFC 8474 §6: exactly that id; an id this server never gives matches nothing, and
    // so does THREADID for messages without a thread (§5.2).
    case K::email_id:
      q = leaf(Q::email_id);
      q.text = key.text;
      return q;
    case K::thread_id: {
      auto thread = parse_thread_object_id(key.text);
      if (!thread) return leaf(Q::nothing);
      q = leaf(Q::thread_in);
      q.number = *thread;
      return q;
    }
    case K::larger:
      q = leaf(Q::size_above);
      q.number = key.number;
      return q;
    case K::smaller:
      q = leaf(Q::size_below);
      q.number = key.number;
      return q;
    case K::mod_seq:
      q = leaf(Q::modseq_at_least);
      q.number = key.number;
      return q;
    case K::sequence_set:
    case K::uid: {
      auto kind = key.kind == K::uid ? proto::NumberKind::uid : proto::NumberKind::sequence;
      auto targets = selected.resolve(key.set, kind, SelectedMailbox::Beyond::skip);
      POSTAMT_TRY(targets);
      q = leaf(Q::uid_in);
      q.uids.reserve(targets->size());
      for (const auto& t : *targets) q.uids.push_back(t.uid);
      std::sort(q.uids.begin(), q.uids.end());
      return q;
    }
    case K::bcc:
      q = leaf(Q::bcc);
      break;
    case K::cc:
      q = leaf(Q::cc);
      break;
    case K::from:
      q = leaf(Q::from);
      break;
    case K::to:
      q = leaf(Q::to);
      break;
    case K::subject:
      q = leaf(Q::subject);
      break;
    case K::header:
      q = leaf(Q::header);
      q.header_name = key.header_name;
      break;
    case K::body:
      q = leaf(Q::body);
      break;
    case K::text:
      q = leaf(Q::text);
      break;
  }
  q.text = key.text;
  for (const auto& child : key.children) {
    auto translated = translate(child, selected);
    POSTAMT_TRY(translated);
    q.children.push_back(std::move(*translated));
  }
  return q;
}

}  // namespace

Result<SearchQuery> to_search_query(const proto::SearchKey& key, const SelectedMailbox& selected) {
  size_t keys = 0;
  size_t sets = 0;
  count(key, keys, sets);
  POSTAMT_TRY(mail::check_search_size(keys, sets));
  return translate(key, selected);
}

bool uses_mod_seq(const proto::SearchKey& key) {
  if (key.kind == K::mod_seq) return true;
  return std::any_of(key.children.begin(), key.children.end(),
                     [](const proto::SearchKey& child) { return uses_mod_seq(child); });
}

}  // namespace postamt::imap::commands
