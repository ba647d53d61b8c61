// Quota (RFC 9208) as mail arrives, for every protocol that takes mail in: whether an
// account has room for a message, before the store's own check (store.h, quota), which
// is the one that holds under concurrency. SMTP asks at RCPT (with the SIZE the client
// declared, RFC 1870) and the delivery transaction before it stores, so that a message
// that can never fit is refused for good (552 5.2.2) and one that does not fit now for a
// while (452 4.2.2, RFC 3463 X.2.2 "mailbox full"). Blocking (store).
#pragma once

#include <cstdint>

#include "base/result.h"
#include "store/api/store.h"

namespace postamt::mail {

enum class QuotaRoom {
  fits,       // within every limit (or no limit)
  full,       // not now: the account is at a limit, or this message would pass it
  too_large,  // never: the message alone is larger than the storage limit
};

// Room in `account` for one more message of `size` octets; `size` 0 means not known yet
// (SMTP RCPT without SIZE): then only an account already at a limit is full.
// Errors: the store's (not_found for an unknown account).
Result<QuotaRoom> room_for(store::Store& store, AccountId account, uint64_t size);

}  // namespace postamt::mail
