// The STATUS data of one mailbox, shared by STATUS (RFC 3501 §6.3.10, RFC 9051
// §6.3.11) and LIST ... RETURN (STATUS ...) (RFC 5819). Blocking store calls; same
// threading as commands.h.
#pragma once

#include <cstdint>
#include <vector>

#include "base/result.h"
#include "imap/proto/response.h"
#include "store/api/store.h"

namespace postamt::imap::commands {

// The items in the order asked. MESSAGES, UIDNEXT, UIDVALIDITY, UNSEEN and HIGHESTMODSEQ
// come from the mailbox record; DELETED, SIZE and RECENT (messages no session has taken
// as \Recent yet) read the message list (only when asked, RECENT only when there are
// such messages); APPENDLIMIT is `append_limit` (RFC 7889 §3.1). Errors are the store's.
Result<proto::StatusData> status_data(store::Store& store, const store::Mailbox& mailbox,
                                      const std::vector<proto::StatusItem>& items,
                                      uint64_t append_limit);

}  // namespace postamt::imap::commands
