// What changed in an account since a state, as JMAP /changes reports it per type
// (RFC 8620 §5.2; RFC 8621 §2.2, §3.2, §4.3), computed from the store's account-wide
// change record (store::Store::account_changes): one source for Mailbox, Thread and
// Email changes.
#pragma once

#include "jmap/engine/call_context.h"
#include "jmap/engine/standard.h"

namespace postamt::jmap {

struct AccountDelta {
  ModSeq now = 0;
  ModSeq history_start = 0;
  ChangeSet mailboxes;
  bool mailbox_counts_only = true;  // every updated mailbox changed only its counts
  ChangeSet threads;
  ChangeSet emails;
};

// For a first check of a sinceState before the current modseq is known.
inline constexpr ModSeq kNoModSeqLimit = ~ModSeq{0};

// Everything after `since`. Throws MethodFailure serverFail when the store fails.
AccountDelta account_delta(CallContext& context, ModSeq since);

}  // namespace postamt::jmap
