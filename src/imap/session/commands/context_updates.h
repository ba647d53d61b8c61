// RFC 5267 §4.3 UPDATE contexts: registering one (SEARCH/SORT RETURN (UPDATE ...)) and
// the ADDTO/REMOVEFROM that keep each client's result list current as flags change and
// messages arrive. (Removals by expunge are told by SelectedMailbox::announce(), before
// the EXPUNGE responses, as §4.3.4 requires.) Same threading as commands.h.
#pragma once

#include <optional>
#include <vector>

#include "imap/session/commands/matching.h"
#include "imap/session/reply.h"
#include "mail/sort.h"

namespace postamt::imap::commands {

// Keeps `result` (uids in the requested order) as a context of ctx.tag when `ret` asks for
// UPDATE; with kMaxUpdateContexts already, the untagged NO [NOUPDATE "tag"] to send instead.
std::optional<proto::Response> register_context(CommandContext& ctx, const proto::SearchReturn& ret,
                                                proto::NumberKind numbers, const Matches& matches,
                                                const std::vector<Found>& result,
                                                std::vector<mail::SortCriterion> criteria);

// One ESEARCH (TAG) [UID] REMOVEFROM (...) ADDTO (...) per context whose result changed,
// for the messages whose flags changed or that arrived since the last call (after
// SelectedMailbox::announce(), so that new sequence numbers are valid). A message that
// cannot be read for a content key keeps its place; the failure is logged.
std::vector<proto::Response> context_updates(store::Store& store, blob::BlobStore& blobs,
                                             SelectedMailbox& selected, uint64_t sort_cache);

}  // namespace postamt::imap::commands
