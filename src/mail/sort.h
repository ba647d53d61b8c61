// Message order for every protocol: IMAP SORT (RFC 5256 §3, RFC 5957 DISPLAYFROM and
// DISPLAYTO), and JMAP Email/query's sort later. Strings collate by i;unicode-casemap
// (mail/sort_keys.h); the empty string sorts first.
//
// Cost: ARRIVAL and SIZE read only the records; the other keys read the store's envelope
// header lines, chunk by chunk (mail/header_walk.h), and a message file only when the
// store kept no lines for it. Blocking: run on a store thread.
#pragma once

#include <cstdint>
#include <span>
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

// The order of `messages` (all of `mailbox`, ascending uid) under `criteria`, most
// significant first, as indexes into `messages`. Messages equal under every criterion
// keep their mailbox order (RFC 5256: the implicit last criterion is the sequence
// number; REVERSE does not reverse it). Errors: the store's or the blob store's.
Result<std::vector<uint32_t>> sort_messages(store::Store& store, blob::BlobStore& blobs,
                                            MailboxId mailbox,
                                            std::span<const store::MessageRecord* const> messages,
                                            std::span<const SortCriterion> criteria);

}  // namespace postamt::mail
