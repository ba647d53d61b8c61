// Flags and keywords in mail words, for every protocol (IMAP STORE and APPEND, JMAP
// Email/set, POP3's \Seen at QUIT).
//
// The rules, and where each lives:
//   - what a keyword may be (an IMAP atom, case-insensitive, first spelling kept) and
//     how a FlagUpdate applies, with the $MDNSent one-way latch (RFC 3503,
//     docs/read-receipts.md): model/flags.h, because every store applies the update
//     inside its own write transaction, and only there is the latch race-free;
//   - how many keywords one message may carry: here.
//
// Threads: update_flags blocks (store); the rest is pure.
#pragma once

#include <cstddef>
#include <vector>

#include "base/result.h"
#include "model/flags.h"
#include "store/api/store.h"

namespace postamt::mail {

// Keywords one message may carry: every client's view and every FETCH FLAGS carries
// them, so a client must not be able to pile up thousands (docs/architecture.md, limits).
inline constexpr size_t kMaxKeywordsPerMessage = 64;

// ErrorKind::limit "A message may carry at most 64 keywords" when `keywords` has more.
Result<void> check_keyword_count(const Keywords& keywords);

// Applies `update` to the messages of `mailbox` whose current records are `messages`
// (as the caller last saw them; absent or expunged ones are skipped by the store).
// Errors: limit when an added keyword would take one of them over
// kMaxKeywordsPerMessage (nothing is changed then); invalid for a keyword that is not
// an atom; the store's. See store::Store::update_flags for the result.
Result<store::FlagUpdateResult> update_flags(
    store::Store& store, MailboxId mailbox,
    const std::vector<const store::MessageRecord*>& messages, const FlagUpdate& update);

// Adds system flags to the messages of `mailbox` with `uids` (absent or expunged ones
// are skipped): POP3's \Seen for what a session retrieved. Keywords are not touched,
// so no keyword limit applies. Errors: the store's.
Result<store::FlagUpdateResult> add_system_flags(store::Store& store, MailboxId mailbox,
                                                 const std::vector<Uid>& uids, SystemFlags flags);

}  // namespace postamt::mail
