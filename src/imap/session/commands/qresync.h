// What QRESYNC (RFC 7162 §3.2) tells a client that comes back: the removals it missed,
// as VANISHED (EARLIER), and the flag changes, as FETCH. SELECT/EXAMINE (QRESYNC ...)
// and UID FETCH ... (CHANGEDSINCE n VANISHED) share these. Same threading as commands.h.
#pragma once

#include <optional>
#include <vector>

#include "base/result.h"
#include "imap/proto/command.h"
#include "imap/proto/response.h"
#include "imap/session/selected.h"
#include "store/api/store.h"

namespace postamt::imap::commands {

// "* VANISHED (EARLIER) uids" for the uids of the selected mailbox removed after
// `since` that `wanted` holds (sorted, disjoint: SequenceSet::resolve()) and that are at
// least `from`; nullopt when there are none. Removals the view still holds (not told
// yet) are left to the VANISHED that tells them (RFC 7162 §3.2.10: the two forms never
// mix). The store keeps every removal's modseq for the life of the mailbox, so the
// answer is exact, never the "everything in the set" fallback §3.2.6 allows. Errors are
// the store's.
Result<std::optional<proto::VanishedData>> vanished_earlier(
    store::Store& store, const SelectedMailbox& selected, ModSeq since,
    const std::vector<proto::UidInterval>& wanted, Uid from = 1);

// "* n FETCH (UID u FLAGS (..) MODSEQ (m))" for each message of the view changed after
// `since` whose uid `wanted` holds, in sequence order (RFC 7162 §3.2.5.1).
std::vector<proto::Response> changed_since(const SelectedMailbox& selected, ModSeq since,
                                           const std::vector<proto::UidInterval>& wanted);

// RFC 7162 §3.2.5.2: the lowest uid whose removal the client may not know of, from its
// sample of (sequence number, uid) pairs: pairs are checked in order against the view,
// and each one that matches moves the bound past its uid, up to the first that does not.
// 1 when there is no sample.
Uid first_unmatched_uid(const SelectedMailbox& selected, const proto::QresyncParams& params);

}  // namespace postamt::imap::commands
