// CATENATE (RFC 4469): the message an APPEND builds from TEXT literals and URLs to the
// user's own messages or parts of them (proto/imap_url.h). Same threading as commands.h.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "imap/proto/command.h"
#include "imap/session/reply.h"
#include "model/blob_ref.h"

namespace postamt::imap::commands {

// Where each TEXT part's octets are: in the part, or (a streamed literal) in this blob.
struct CatenateInput {
  const proto::AppendMessage* message = nullptr;
  std::vector<std::optional<BlobRef>> staged;  // one per part; set for streamed TEXT
};

// The parts one after the other (§3): TEXT as sent; a URL's message or part as FETCH
// BODY[section]<partial> gives it, from the selected mailbox when the URL names none.
// Nothing is marked \Seen. Returns the octets, or the refusal: NO [BADURL url] for the
// first URL that does not parse, names no mailbox of the user, a UIDVALIDITY that is
// not the mailbox's, no message or no such part (§4.1); NO [TOOBIG] when the message
// would pass `limit` (§4.2); the store's and blob store's errors.
std::variant<std::string, Reply> catenate(CommandContext& ctx, const CatenateInput& input,
                                          uint64_t limit);

}  // namespace postamt::imap::commands
