// Following one mailbox's changes by modseq (RFC 7162), for every protocol: an IMAP
// session's selected mailbox (IDLE, NOOP, the news after every command) and JMAP's
// /changes and push read them through a ChangeCursor.
//
// The cursor remembers the highest modseq it has handed out and the store's
// data_version at that time (store/api/store.h). poll() costs one cheap call while
// nothing was written anywhere, and one changes_since() query otherwise.
//
// Not thread-safe: one cursor belongs to one session (used on its store thread).
#pragma once

#include <cstdint>
#include <optional>

#include "base/result.h"
#include "model/ids.h"
#include "store/api/store.h"

namespace postamt::mail {

class ChangeCursor {
 public:
  // Starts after `known_modseq`: the mailbox's highest modseq when its state was read.
  ChangeCursor(MailboxId mailbox, ModSeq known_modseq)
      : mailbox_(mailbox), known_modseq_(known_modseq) {}

  MailboxId mailbox() const { return mailbox_; }
  // The highest modseq handed out so far (or given at construction).
  ModSeq known_modseq() const { return known_modseq_; }

  // What changed in the mailbox since the last poll that returned changes: messages
  // added or with changed flags (current state) and uids expunged, each with a modseq
  // above known_modseq(). nullopt when the store's data_version has not moved since the
  // last poll (nothing was written anywhere). Errors: not_found when the mailbox no
  // longer exists; the store's otherwise. On error the cursor stays where it was.
  Result<std::optional<store::MailboxChanges>> poll(store::Store& store);

 private:
  MailboxId mailbox_;
  ModSeq known_modseq_ = 0;
  std::optional<uint64_t> data_version_;
};

}  // namespace postamt::mail
