// Message order for every protocol: IMAP SORT (RFC 5256 §3, RFC 5957 DISPLAYFROM and
// DISPLAYTO), and JMAP Email/query's sort later. Strings collate by i;unicode-casemap
// (mail/sort_keys.h); the empty string sorts first.
//
// Cost: ARRIVAL and SIZE read only the records; the other keys read the store's envelope
// header lines, chunk by chunk (mail/header_walk.h), and a message file only when the
// store kept no lines for it. Blocking: run on a store thread.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "blob/blob_store.h"
#include "store/api/store.h"

namespace postamt::mail {

enum class SortKey { arrival, cc, date, from, size, subject, to, display_from, display_to };

struct SortCriterion {
  SortKey key = SortKey::arrival;
  bool reverse = false;  // this criterion descending; ties still in mailbox order
  friend bool operator==(const SortCriterion&, const SortCriterion&) = default;
};

// Sort values of one mailbox computed before, by uid, so that sorting it again (a client
// re-sorting its view, another criterion order) reads only messages it has not seen.
// A message never changes, so a value never goes stale; values of expunged messages stay
// until the cache goes (with the IMAP selection). At most max_bytes are kept ([imap]
// sort_cache): values beyond that are computed every time. One per mailbox; one thread at
// a time.
class SortCache {
 public:
  static constexpr size_t kDefaultMaxBytes = 16 * 1024 * 1024;
  explicit SortCache(size_t max_bytes = kDefaultMaxBytes) : max_bytes_(max_bytes) {}
  void set_max_bytes(size_t max_bytes) { max_bytes_ = max_bytes; }
  // What the values kept take (uids, numbers, strings with their bytes).
  size_t bytes() const { return bytes_; }

 private:
  friend struct SortCacheAccess;
  struct Column {
    std::vector<Uid> uids;  // ascending
    std::vector<int64_t> numbers;
    std::vector<std::string> texts;
  };
  std::array<Column, 9> columns_;  // by SortKey
  size_t max_bytes_;
  size_t bytes_ = 0;
};

// The order of `messages` (all of `mailbox`, ascending uid) under `criteria`, most
// significant first, as indexes into `messages`. Messages equal under every criterion
// keep their mailbox order (RFC 5256: the implicit last criterion is the sequence
// number; REVERSE does not reverse it). With a `cache` (of this mailbox), values found
// there are not computed again and new ones are added. Errors: the store's or the blob
// store's; the cache then holds what it held before.
Result<std::vector<uint32_t>> sort_messages(store::Store& store, blob::BlobStore& blobs,
                                            MailboxId mailbox,
                                            std::span<const store::MessageRecord* const> messages,
                                            std::span<const SortCriterion> criteria,
                                            SortCache* cache = nullptr);

// One key's value for each of `messages` (all of `mailbox`, ascending uid), in a form
// that compares across mailboxes (JMAP Email/query sorts a whole account): seconds for
// arrival and date, octets for size, i;unicode-casemap collation keys for the others.
// Uses and fills `cache` as sort_messages does. Errors as sort_messages.
struct SortValues {
  SortKey key = SortKey::arrival;
  std::vector<int64_t> numbers;    // arrival, size, date
  std::vector<std::string> texts;  // every other key
  // <0, 0, >0 as message `a` of this sorts before, with, after message `b` of `other`
  // (both of the same key).
  int compare(size_t a, const SortValues& other, size_t b) const;
};
Result<SortValues> sort_values(store::Store& store, blob::BlobStore& blobs, MailboxId mailbox,
                               std::span<const store::MessageRecord* const> messages, SortKey key,
                               SortCache* cache = nullptr);

}  // namespace postamt::mail
