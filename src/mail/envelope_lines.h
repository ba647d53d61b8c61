// The envelope header lines the store keeps beside messages (store::EnvelopeHeader,
// mime::envelope_header_lines), loaded for a set of messages so that ENVELOPE-like
// answers (IMAP FETCH ENVELOPE, JMAP Email/get) and searches on those fields
// (search.h) need not open the message files. Messages stored without them (before
// store migration 3, or with huge address lists) are simply absent: the caller reads
// those from the message. Blocking (store); run on a store thread.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "store/api/store.h"

namespace postamt::mail {

class EnvelopeLines {
 public:
  // Uids further apart than this start a new range query, so that a sparse set such as
  // "1,100000" does not read the whole mailbox.
  static constexpr Uid kRunGap = 256;

  // `uids` ascending. Errors: the store's.
  static Result<EnvelopeLines> load(store::Store& store, MailboxId mailbox,
                                    std::span<const Uid> uids);

  // The lines of `uid`, or nullptr when the store kept none.
  const std::string* find(Uid uid) const;
  // The same with the thread references kept beside them.
  const store::EnvelopeHeader* entry(Uid uid) const;

 private:
  std::vector<store::EnvelopeHeader> lines_;  // ascending uid
};

}  // namespace postamt::mail
