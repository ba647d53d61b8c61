// The Postfix-style log lines of a committed delivery::Transaction, all under its queue
// id, so that `grep ID` over the log tells the message's story and pflogsumm-style tools
// can follow it (docs/operations.md, "Log lines"):
//
//   ID: message-id=<...>                                       (service cleanup; only
//                                                                when the message has one)
//   ID: from=<sender>, size=N, nrcpt=N (queue active)          (service qmgr)
//   ID: to=<rcpt>, relay=local, delay=0.1, dsn=2.0.0, status=sent (delivered to INBOX)
//                                                              (service local, per account)
//   ID: removed                                                (service qmgr)
//
// size is the message as committed (with the receiving protocol's trace fields), nrcpt
// the number of recipients the protocol accepted. "removed" follows when nothing is left
// in the outbound queue; otherwise the queue's worker logs each attempt under the same id
// and "removed" at the end (queue/worker.h). Should the queue have picked another id, the
// line "ID: remote part queued as OTHER" links them and "ID: removed" follows.
//
// Threads: any (writes through base/log.h).
#pragma once

#include "delivery/transaction.h"

namespace postamt::delivery {

// Writes the lines above for `committed`, the result of `transaction.commit()`.
void log_committed(const Transaction& transaction, const Committed& committed);

// "1.2": `elapsed` in seconds with one decimal (cut, not rounded), as Postfix writes delay=.
std::string format_delay(std::chrono::steady_clock::duration elapsed);

}  // namespace postamt::delivery
