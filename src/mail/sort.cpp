#include "mail/sort.h"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <numeric>
#include <string>

#include "mail/header_walk.h"
#include "mail/sort_keys.h"

namespace postamt::mail {
namespace {

bool reads_header(SortKey key) {
  return key != SortKey::arrival && key != SortKey::size;
}

bool is_text(SortKey key) {
  return key != SortKey::arrival && key != SortKey::size && key != SortKey::date;
}

int64_t seconds_of(const store::MessageRecord& record) {
  return std::chrono::duration_cast<std::chrono::seconds>(record.internal_date.time_since_epoch())
      .count();
}

std::string text_value(SortKey key, const mime::HeaderView& header) {
  switch (key) {
    case SortKey::cc:
      return casemap_key(first_address_mailbox(header, "Cc"));
    case SortKey::from:
      return casemap_key(first_address_mailbox(header, "From"));
    case SortKey::to:
      return casemap_key(first_address_mailbox(header, "To"));
    case SortKey::display_from:
      return casemap_key(first_address_display(header, "From"));
    case SortKey::display_to:
      return casemap_key(first_address_display(header, "To"));
    case SortKey::subject: {
      const mime::HeaderField* field = header.find_first("Subject");
      if (field == nullptr) return {};
      return casemap_key(base_subject(field->raw_value(header.buffer())).text);
    }
    default:
      return {};
  }
}

// One sort key's value for every message: numbers or collation keys, and which
// messages still need theirs computed (indexes, ascending).
struct Values {
  SortKey key = SortKey::arrival;
  std::vector<int64_t> numbers;
  std::vector<std::string> texts;
  std::vector<uint32_t> missing;
};

}  // namespace

struct SortCacheAccess {
  using Column = SortCache::Column;

  static Column& column(SortCache& cache, SortKey key) {
    return cache.columns_[static_cast<size_t>(key)];
  }

  // Fills `values` from the cache where it can; the rest goes to values.missing.
  static void fill(SortCache& cache, std::span<const store::MessageRecord* const> messages,
                   Values& values) {
    const Column& col = column(cache, values.key);
    size_t at = 0;
    for (uint32_t i = 0; i < messages.size(); ++i) {
      const Uid uid = messages[i]->uid;
      while (at < col.uids.size() && col.uids[at] < uid) ++at;
      if (at == col.uids.size() || col.uids[at] != uid) {
        values.missing.push_back(i);
      } else if (is_text(values.key)) {
        values.texts[i] = col.texts[at];
      } else {
        values.numbers[i] = col.numbers[at];
      }
    }
  }

  // Adds the values just computed (values.missing), the first of them as far as
  // max_bytes allows: a mailbox larger than the cache still has that many computed once.
  static void add(SortCache& cache, std::span<const store::MessageRecord* const> messages,
                  const Values& values) {
    const bool text = is_text(values.key);
    size_t bytes = 0, fit = 0;
    for (uint32_t i : values.missing) {
      const size_t one =
          sizeof(Uid) + (text ? sizeof(std::string) + values.texts[i].size() : sizeof(int64_t));
      if (cache.bytes_ + bytes + one > cache.max_bytes_) break;
      bytes += one;
      ++fit;
    }
    const std::span<const uint32_t> added = std::span(values.missing).first(fit);
    if (added.empty()) return;
    cache.bytes_ += bytes;
    Column& col = column(cache, values.key);
    Column merged;
    merged.uids.reserve(col.uids.size() + added.size());
    size_t old = 0;
    auto take_old = [&] {
      merged.uids.push_back(col.uids[old]);
      if (text)
        merged.texts.push_back(std::move(col.texts[old]));
      else
        merged.numbers.push_back(col.numbers[old]);
      ++old;
    };
    for (uint32_t i : added) {
      const Uid uid = messages[i]->uid;
      while (old < col.uids.size() && col.uids[old] < uid) take_old();
      merged.uids.push_back(uid);
      if (text)
        merged.texts.push_back(values.texts[i]);
      else
        merged.numbers.push_back(values.numbers[i]);
    }
    while (old < col.uids.size()) take_old();
    col = std::move(merged);
  }
};

namespace {

// Fills `values` (one per distinct key) for every message, from the records, the cache or
// the headers.
Result<void> fill_values(store::Store& store, blob::BlobStore& blobs, MailboxId mailbox,
                         std::span<const store::MessageRecord* const> messages,
                         std::vector<Values>& values, SortCache* cache) {
  const auto n = static_cast<uint32_t>(messages.size());
  std::vector<uint32_t> todo;  // messages whose header some key still needs
  for (Values& v : values) {
    if (!reads_header(v.key)) {
      for (uint32_t i = 0; i < n; ++i)
        v.numbers[i] = v.key == SortKey::size ? static_cast<int64_t>(messages[i]->size)
                                              : seconds_of(*messages[i]);
      continue;
    }
    if (cache) {
      SortCacheAccess::fill(*cache, messages, v);
    } else {
      v.missing.resize(n);
      std::iota(v.missing.begin(), v.missing.end(), 0u);
    }
    std::vector<uint32_t> both;
    std::set_union(todo.begin(), todo.end(), v.missing.begin(), v.missing.end(),
                   std::back_inserter(both));
    todo = std::move(both);
  }
  if (todo.empty()) return {};
  std::vector<const store::MessageRecord*> reading;
  reading.reserve(todo.size());
  for (uint32_t i : todo) reading.push_back(messages[i]);
  POSTAMT_TRY(walk_headers(store, blobs, mailbox, reading, NeedReferences::no,
                           [&](size_t j, const WalkedHeader& walked) {
                             const uint32_t i = todo[j];
                             for (Values& v : values) {
                               if (!reads_header(v.key)) continue;
                               if (v.key == SortKey::date)
                                 v.numbers[i] = sent_date(walked.header, seconds_of(*messages[i]));
                               else
                                 v.texts[i] = text_value(v.key, walked.header);
                             }
                           }));
  if (cache)
    for (const Values& v : values)
      if (reads_header(v.key)) SortCacheAccess::add(*cache, messages, v);
  return {};
}

Values empty_values(SortKey key, uint32_t n) {
  Values v;
  v.key = key;
  if (is_text(key))
    v.texts.resize(n);
  else
    v.numbers.resize(n);
  return v;
}

}  // namespace

int SortValues::compare(size_t a, const SortValues& other, size_t b) const {
  if (!texts.empty()) {
    int c = texts[a].compare(other.texts[b]);
    return c < 0 ? -1 : c > 0;
  }
  return numbers[a] < other.numbers[b] ? -1 : numbers[a] > other.numbers[b];
}

Result<SortValues> sort_values(store::Store& store, blob::BlobStore& blobs, MailboxId mailbox,
                               std::span<const store::MessageRecord* const> messages, SortKey key,
                               SortCache* cache) {
  std::vector<Values> values;
  values.push_back(empty_values(key, static_cast<uint32_t>(messages.size())));
  POSTAMT_TRY(fill_values(store, blobs, mailbox, messages, values, cache));
  SortValues out;
  out.key = key;
  out.numbers = std::move(values[0].numbers);
  out.texts = std::move(values[0].texts);
  return out;
}

Result<std::vector<uint32_t>> sort_messages(store::Store& store, blob::BlobStore& blobs,
                                            MailboxId mailbox,
                                            std::span<const store::MessageRecord* const> messages,
                                            std::span<const SortCriterion> criteria,
                                            SortCache* cache) {
  const auto n = static_cast<uint32_t>(messages.size());
  // One Values per distinct key; each criterion names its Values.
  std::vector<Values> values;
  std::vector<std::pair<size_t, bool>> order_by;  // (index into values, reverse)
  for (const SortCriterion& criterion : criteria) {
    size_t at = 0;
    while (at < values.size() && values[at].key != criterion.key) ++at;
    if (at == values.size()) values.push_back(empty_values(criterion.key, n));
    order_by.emplace_back(at, criterion.reverse);
  }
  POSTAMT_TRY(fill_values(store, blobs, mailbox, messages, values, cache));

  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  // Stable: equal messages stay in mailbox order, which `messages` is in.
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    for (const auto& [at, reverse] : order_by) {
      const Values& v = values[at];
      int c = 0;
      if (is_text(v.key))
        c = v.texts[a].compare(v.texts[b]);
      else
        c = v.numbers[a] < v.numbers[b] ? -1 : v.numbers[a] > v.numbers[b];
      if (c != 0) return reverse ? c > 0 : c < 0;
    }
    return false;
  });
  return order;
}

}  // namespace postamt::mail
