#include "mail/sort.h"

#include <algorithm>
#include <chrono>
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

// One criterion's value for every message: numbers or collation keys.
struct Column {
  SortCriterion criterion;
  std::vector<int64_t> numbers;
  std::vector<std::string> texts;
};

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

}  // namespace

Result<std::vector<uint32_t>> sort_messages(store::Store& store, blob::BlobStore& blobs,
                                            MailboxId mailbox,
                                            std::span<const store::MessageRecord* const> messages,
                                            std::span<const SortCriterion> criteria) {
  const size_t n = messages.size();
  std::vector<Column> columns;
  bool header_needed = false;
  for (const SortCriterion& criterion : criteria) {
    Column column{criterion, {}, {}};
    if (is_text(criterion.key))
      column.texts.resize(n);
    else
      column.numbers.resize(n);
    for (size_t i = 0; i < n && !reads_header(criterion.key); ++i)
      column.numbers[i] = criterion.key == SortKey::size ? static_cast<int64_t>(messages[i]->size)
                                                         : seconds_of(*messages[i]);
    header_needed = header_needed || reads_header(criterion.key);
    columns.push_back(std::move(column));
  }
  if (header_needed) {
    POSTAMT_TRY(walk_headers(store, blobs, mailbox, messages, NeedReferences::no,
                             [&](size_t i, const WalkedHeader& walked) {
                               for (Column& column : columns) {
                                 if (!reads_header(column.criterion.key)) continue;
                                 if (column.criterion.key == SortKey::date)
                                   column.numbers[i] =
                                       sent_date(walked.header, seconds_of(*messages[i]));
                                 else
                                   column.texts[i] =
                                       text_value(column.criterion.key, walked.header);
                               }
                             }));
  }

  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  // Stable: equal messages stay in mailbox order, which `messages` is in.
  std::stable_sort(order.begin(), order.end(), [&columns](uint32_t a, uint32_t b) {
    for (const Column& column : columns) {
      int c = 0;
      if (!column.texts.empty())
        c = column.texts[a].compare(column.texts[b]);
      else
        c = column.numbers[a] < column.numbers[b] ? -1 : column.numbers[a] > column.numbers[b];
      if (c != 0) return column.criterion.reverse ? c > 0 : c < 0;
    }
    return false;
  });
  return order;
}

}  // namespace postamt::mail
